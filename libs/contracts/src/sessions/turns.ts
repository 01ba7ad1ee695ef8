import { z } from 'zod';

/**
 * Conversation history (issue 12 item 2): the turns an agent exchanged with its model, appended
 * to its session so that a fresh agent can carry the conversation on from the briefing.
 */

/** Most bytes (UTF-8) of one turn's content; longer text belongs in an artifact. */
export const MAX_TURN_BYTES = 32 * 1024;
/** Most tokens one turn may claim on either side: more is a client bug, not a conversation. */
const MAX_TURN_TOKENS = 100_000_000;

/** The size of a text in bytes of UTF-8: what limits on stored text count. */
export const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

export const TurnRole = z.enum(['user', 'assistant', 'system', 'tool']);
export type TurnRole = z.infer<typeof TurnRole>;

export const TurnContent = z
  .string()
  .max(MAX_TURN_BYTES, `must be at most ${MAX_TURN_BYTES} bytes (32 KB); register longer text as an artifact`)
  .refine((s) => s.trim().length > 0, 'must not be empty')
  .refine((s) => utf8Bytes(s) <= MAX_TURN_BYTES, `must be at most ${MAX_TURN_BYTES} bytes (32 KB) of UTF-8; register longer text as an artifact`);

const TokenCount = z.number().int('must be a whole number of tokens').min(0).max(MAX_TURN_TOKENS);
export const TurnTokensBody = z.strictObject({ input: TokenCount.optional(), output: TokenCount.optional() });

/** `POST /sessions/:key/conversation`. Secrets in `content` are redacted before it is recorded. */
export const AddTurnBody = z.strictObject({ role: TurnRole, content: TurnContent, tokens: TurnTokensBody.optional() });
export type AddTurnBody = z.infer<typeof AddTurnBody>;

export const TokenTotals = z.object({ input: z.number().int(), output: z.number().int() });
export type TokenTotals = z.infer<typeof TokenTotals>;

/** One turn as the API shows it; `turn` numbers the session's turns from 1. */
export const SessionTurn = z.object({
  turn: z.number().int().positive(),
  role: TurnRole,
  content: z.string(),
  tokens: TokenTotals.nullable(),
  /** Secrets cut from the content before it was recorded. */
  redactions: z.number().int(),
  phase: z.string(),
  at: z.string(),
  by: z.string(),
});
export type SessionTurn = z.infer<typeof SessionTurn>;

/** What the session view and the briefing say about the conversation as a whole. */
export const ConversationSummary = z.object({ turns: z.number().int(), tokens: TokenTotals });
export type ConversationSummary = z.infer<typeof ConversationSummary>;

/** `GET /sessions/:key/conversation?limit=&before=`: the newest `limit` turns before turn `before`, oldest first. */
export const TurnsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.coerce.number().int().min(1).optional(),
});
export type TurnsQuery = z.infer<typeof TurnsQuery>;
