import type { ConversationSummary, SessionEvent, SessionTurn, TurnRole } from '@orch/contracts';
import type { EventMeta } from '@orch/event-store';
import type { Session } from './session';

/**
 * Conversation history, the pure part (issue 12 item 2): turns are events of the session; the
 * aggregate keeps the newest ones for the briefing and sums the tokens. Older turns stay in the
 * log, where `GET /sessions/:key/conversation?before=` reads them.
 */

/** Turns the aggregate keeps (the briefing asks for at most this many). */
export const KEPT_TURNS = 50;

export interface AddTurn {
  type: 'AddTurn';
  role: TurnRole;
  /** Already redacted. */
  content: string;
  tokens: { input: number; output: number } | null;
  redactions: number;
}

type TurnData = Extract<SessionEvent, { type: 'orchestration.session.turn_added' }>['data'];

export const emptyConversation = (): ConversationSummary => ({ turns: 0, tokens: { input: 0, output: 0 } });

export function decideTurn(c: AddTurn, s: Session): SessionEvent[] {
  const data: TurnData = { sessionKey: s.key, taskCode: s.taskCode, sprintCode: s.sprintCode, phase: s.currentPhase, turn: s.conversation.turns + 1, role: c.role, content: c.content, tokens: c.tokens, redactions: c.redactions };
  return [{ type: 'orchestration.session.turn_added', data }];
}

/** The API's view of a turn event. */
export function turnView(d: TurnData, em: Pick<EventMeta, 'occurredAt' | 'actor'>): SessionTurn {
  return { turn: d.turn, role: d.role, content: d.content, tokens: d.tokens, redactions: d.redactions, phase: d.phase, at: em.occurredAt, by: em.actor.id };
}

/** Evolve: the turn joins the kept tail, and its tokens the totals. */
export function addTurn(s: Session, d: TurnData, em: EventMeta): Session {
  const turns = [...s.turns, turnView(d, em)];
  const tokens = { input: s.conversation.tokens.input + (d.tokens?.input ?? 0), output: s.conversation.tokens.output + (d.tokens?.output ?? 0) };
  return { ...s, turns: turns.length > KEPT_TURNS ? turns.slice(turns.length - KEPT_TURNS) : turns, conversation: { turns: d.turn, tokens } };
}

/** Which turn numbers a page holds: the newest `limit` before `before` (all when absent). */
export function pageWindow(total: number, limit: number, before?: number): { from: number; to: number } {
  const to = Math.min(before === undefined ? total : before - 1, total);
  return { from: Math.max(1, to - limit + 1), to };
}
