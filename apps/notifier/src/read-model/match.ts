import type { EventEnvelope } from '@orch/contracts';
import { matcherOf } from '../subscriptions/globs';
import type { EventScope } from './scope-index';

/** What the matcher needs of a subscription row. */
export interface MatchableSubscription {
  id: string;
  events: string[];
  sprintCode: string | null;
  taskCode: string | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The task(s) an event names: its data's `taskCode`/`taskCodes`, or the task aggregate itself. */
export function tasksOf(e: EventEnvelope): string[] {
  const codes = [str(e.data.taskCode), e.aggregateType === 'task' ? e.aggregateId : null];
  if (Array.isArray(e.data.taskCodes)) codes.push(...e.data.taskCodes.map(str));
  return codes.filter((c): c is string => c !== null);
}

/** The sprint an event names: its data's `sprintCode` (session events carry it), or the sprint itself. */
export function sprintOf(e: EventEnvelope): string | null {
  return str(e.data.sprintCode) ?? (e.aggregateType === 'sprint' ? e.aggregateId : null);
}

/**
 * Compiles the subscriptions once per batch; returns the ids an event goes to. `scope` (what the
 * event is about, looked up by the projection's `ScopeIndex`) is asked for only when a
 * subscription that wants the event's type also filters by task or sprint: most events of the log
 * are wanted by nobody, and they cost no lookup.
 */
export function compileMatcher(subs: MatchableSubscription[]): (e: EventEnvelope, scope: () => Promise<EventScope>) => Promise<string[]> {
  const compiled = subs.map((s) => ({ ...s, types: matcherOf(s.events) }));
  return async (e, scope) => {
    const wanting = compiled.filter((s) => s.types(e.type));
    if (!wanting.some((s) => s.taskCode || s.sprintCode)) return wanting.map((s) => s.id);
    const about = await scope();
    return wanting.filter((s) => (!s.taskCode || about.tasks.includes(s.taskCode)) && (!s.sprintCode || about.sprints.includes(s.sprintCode))).map((s) => s.id);
  };
}
