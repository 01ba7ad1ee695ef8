import { SprintEvent, type SprintChanges, type SprintStatus, type CreateSprintBody } from '@orch/contracts';
import { ConflictError, NotFoundError, RuleViolation } from '@orch/errors';
import type { AggregateDefinition, EventMeta } from '@orch/event-store';

export interface Sprint {
  code: string;
  title: string;
  goal: string | null;
  status: SprintStatus;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** `null` until the sprint is created. */
export type SprintState = Sprint | null;

export type SprintCommand = { type: 'CreateSprint'; sprint: CreateSprintBody } | { type: 'UpdateSprint'; code: string; changes: SprintChanges };

/** Which status may follow which. A completed sprint is history; a cancelled one may be planned again. */
const NEXT: Record<SprintStatus, SprintStatus[]> = {
  PLANNED: ['ACTIVE', 'CANCELLED'],
  ACTIVE: ['COMPLETED', 'CANCELLED', 'PLANNED'],
  COMPLETED: [],
  CANCELLED: ['PLANNED'],
};

export const initialState = (): SprintState => null;

export function evolve(state: SprintState, event: SprintEvent, meta: EventMeta): SprintState {
  switch (event.type) {
    case 'orchestration.sprint.created':
      return { ...event.data, version: meta.version, createdAt: meta.occurredAt, updatedAt: meta.occurredAt };
    case 'orchestration.sprint.updated':
      if (!state) return state;
      return { ...state, ...event.data.changes, version: meta.version, updatedAt: meta.occurredAt } as Sprint;
    default: {
      const never: never = event;
      return never;
    }
  }
}

export function decide(command: SprintCommand, state: SprintState): SprintEvent[] {
  switch (command.type) {
    case 'CreateSprint': {
      const { code, title, goal } = command.sprint;
      if (state) throw new ConflictError('SPRINT.EXISTS', `Sprint ${code} exists already`);
      return [{ type: 'orchestration.sprint.created', data: { code, title, goal: goal ?? null, status: 'PLANNED' } }];
    }
    case 'UpdateSprint': {
      if (!state) throw new NotFoundError('SPRINT.NOT_FOUND', `Sprint ${command.code} does not exist`);
      const changes = onlyChanged(state, command.changes);
      if (changes.status && !NEXT[state.status].includes(changes.status)) {
        throw new RuleViolation('SPRINT.ILLEGAL_TRANSITION', `Sprint ${state.code} cannot go from ${state.status} to ${changes.status}`, [], {
          from: state.status,
          to: changes.status,
          allowed: NEXT[state.status],
        });
      }
      return Object.keys(changes).length === 0 ? [] : [{ type: 'orchestration.sprint.updated', data: { changes } }];
    }
    default: {
      const never: never = command;
      return never;
    }
  }
}

/** An update that repeats the current values records nothing. */
function onlyChanged(state: Sprint, changes: SprintChanges): SprintChanges {
  return Object.fromEntries(Object.entries(changes).filter(([k, v]) => v !== undefined && state[k as keyof Sprint] !== v)) as SprintChanges;
}

export const SprintAggregate: AggregateDefinition<SprintState, SprintEvent> = {
  type: 'sprint',
  initialState,
  evolve,
  eventSchema: SprintEvent,
};
