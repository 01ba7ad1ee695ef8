import { z } from 'zod';
import { commandRoute, queryRoute } from '../common/rpc';
import { Instructions } from './instructions';
import { SessionKey } from './session';
import { AddTurnBody, ConversationSummary, SessionTurn } from './turns';

/** Answers and routes of the conversation history (the schemas of a turn are in `turns.ts`). */

export const TurnReply = z.object({
  sessionKey: SessionKey,
  turn: SessionTurn,
  conversation: ConversationSummary,
  /** The session's aggregate version after the turn. */
  version: z.number().int(),
  warnings: z.array(z.string()),
  instructions: Instructions,
});
export type TurnReply = z.infer<typeof TurnReply>;

export const TurnPage = z.object({
  sessionKey: SessionKey,
  items: z.array(SessionTurn),
  conversation: ConversationSummary,
  /** Pass as `before` to read the turns before these; null when these are the first. */
  nextBefore: z.number().int().nullable(),
});
export type TurnPage = z.infer<typeof TurnPage>;

const Target = { sessionKey: SessionKey.optional() };

export const SessionTurnRoutes = {
  add: commandRoute('session-service', 'session.turn_add', z.object({ ...Target, body: AddTurnBody }), TurnReply),
  list: queryRoute('session-service', 'session.turns', z.object({ ...Target, limit: z.number().int().min(1).max(500).default(50), before: z.number().int().min(1).optional() }), TurnPage),
} as const;
