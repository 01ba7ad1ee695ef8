import { ContextEvent, CONTEXT_AGGREGATE, type MeContext, type PutMeContextBody } from '@orch/contracts';
import type { AggregateDefinition } from '@orch/event-store';

/** An actor's context as its events left it; null before its first choice. */
export type ContextState = (MeContext & { actorId: string }) | null;

export const EMPTY_CONTEXT: MeContext = { sprintCode: null, taskCode: null, sessionKey: null };

/** Merges a choice into a context: a `null` clears a key; choosing another task drops a session of the old one. */
export function merge(current: MeContext, patch: PutMeContextBody): MeContext {
  const next: MeContext = { ...current };
  if (patch.sprintCode !== undefined) next.sprintCode = patch.sprintCode;
  if (patch.taskCode !== undefined) {
    if (patch.taskCode !== current.taskCode && patch.sessionKey === undefined) next.sessionKey = null;
    next.taskCode = patch.taskCode;
  }
  if (patch.sessionKey !== undefined) next.sessionKey = patch.sessionKey;
  return next;
}

/**
 * `base` is the context before the actor's first event (what Redis or the session read model
 * knew): contexts older than this aggregate carry on from there. A choice that changes nothing
 * writes nothing.
 */
export function decideContext(command: { actorId: string; patch: PutMeContextBody; base: MeContext }, state: ContextState): ContextEvent[] {
  const current = state ? { sprintCode: state.sprintCode, taskCode: state.taskCode, sessionKey: state.sessionKey } : command.base;
  const next = merge(current, command.patch);
  if (state && next.sprintCode === current.sprintCode && next.taskCode === current.taskCode && next.sessionKey === current.sessionKey) return [];
  return [{ type: 'orchestration.context.updated', data: { actorId: command.actorId, ...next } }];
}

export function evolveContext(_state: ContextState, event: ContextEvent): ContextState {
  switch (event.type) {
    case 'orchestration.context.updated':
      return { ...event.data };
    default: {
      const never: never = event.type;
      return never;
    }
  }
}

export const ContextAggregate: AggregateDefinition<ContextState, ContextEvent> = {
  type: CONTEXT_AGGREGATE,
  initialState: () => null,
  evolve: evolveContext,
  eventSchema: ContextEvent,
};
