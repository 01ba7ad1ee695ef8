import { typeGlobToRegex, type EventEnvelope, type StreamEventsQuery } from '@orch/contracts';
import { ValidationError } from '@orch/errors';

/** Where a client resumes: after a whole commit (`42`) or after one event of it (`42.1`). */
export interface Cursor {
  seq: number;
  /** Index of the last event already seen in commit `seq`; undefined when the whole commit was seen. */
  index?: number;
}

/**
 * `Last-Event-ID` as this gateway writes it: the stream sequence, with `.<index>` on every event
 * of a commit but its last, so a connection lost between two events of one commit resumes at the
 * next one rather than skipping or repeating.
 */
export function parseLastEventId(value: string | string[] | undefined): Cursor | undefined {
  if (value === undefined) return undefined;
  const raw = Array.isArray(value) ? value[0] : value;
  const match = /^(\d{1,15})(?:\.(\d{1,6}))?$/.exec(raw?.trim() ?? '');
  if (!match) throw new ValidationError('REQUEST.INVALID_HEADER', 'Last-Event-ID must be an id this stream sent, like 42 or 42.1', [{ path: 'headers.last-event-id', message: 'must be a stream sequence like 42 or 42.1' }]);
  return { seq: Number(match[1]), index: match[2] === undefined ? undefined : Number(match[2]) };
}

export function eventId(seq: number, index: number, count: number): string {
  return index === count - 1 ? String(seq) : `${seq}.${index}`;
}

/** Which events a client asked for: type globs and scope ids, all of which must match. */
export function eventFilter(q: StreamEventsQuery): (e: EventEnvelope) => boolean {
  const types = q.types?.split(',').map((g) => new RegExp(typeGlobToRegex(g)));
  const data = (e: EventEnvelope, key: string) => (e.data as Record<string, unknown>)[key];
  return (e) =>
    (!types || types.some((t) => t.test(e.type))) &&
    (!q.aggregateType || e.aggregateType === q.aggregateType) &&
    (!q.aggregateId || e.aggregateId === q.aggregateId) &&
    (!q.sessionKey || data(e, 'sessionKey') === q.sessionKey || (e.aggregateType === 'session' && e.aggregateId === q.sessionKey)) &&
    (!q.taskCode || data(e, 'taskCode') === q.taskCode || data(e, 'code') === q.taskCode || (e.aggregateType === 'task' && e.aggregateId === q.taskCode)) &&
    (!q.sprintCode || data(e, 'sprintCode') === q.sprintCode || (e.aggregateType === 'sprint' && e.aggregateId === q.sprintCode));
}
