import { PlanEvent, type PlanAnalysis, type PlanStatus, type PlanTask } from '@orch/contracts';
import { ConflictError, NotFoundError, RuleViolation } from '@orch/errors';
import type { AggregateDefinition, EventMeta } from '@orch/event-store';

export interface Plan {
  id: string;
  goal: string;
  template: string;
  params: Record<string, string>;
  decomposer: string;
  sprintCode: string | null;
  tasks: PlanTask[];
  analysis: PlanAnalysis;
  status: PlanStatus;
  /** Plan task id → the task code it was accepted as. */
  taskCodes: Record<string, string>;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export type PlanState = Plan | null;
type Created = Extract<PlanEvent, { type: 'orchestration.plan.created' }>['data'];

export type PlanCommand = { type: 'CreatePlan'; plan: Created } | { type: 'AcceptPlan'; id: string; sprintCode: string | null };

export const initialState = (): PlanState => null;

export function evolve(state: PlanState, event: PlanEvent, meta: EventMeta): PlanState {
  switch (event.type) {
    case 'orchestration.plan.created':
      return { ...event.data, status: 'PROPOSED', taskCodes: {}, version: meta.version, createdAt: meta.occurredAt, updatedAt: meta.occurredAt };
    case 'orchestration.plan.accepted':
      return state && { ...state, status: 'ACCEPTED', sprintCode: event.data.sprintCode, taskCodes: event.data.taskCodes, version: meta.version, updatedAt: meta.occurredAt };
    default: {
      const never: never = event;
      return never;
    }
  }
}

/** Task codes of an accepted plan: `TSK-<plan hex>-<nn>`, in plan order, so an accept retried lands on the same tasks. */
export function taskCodesFor(plan: Pick<Plan, 'id' | 'tasks'>): Record<string, string> {
  const width = String(plan.tasks.length).length < 2 ? 2 : String(plan.tasks.length).length;
  return Object.fromEntries(plan.tasks.map((t, i) => [t.id, `TSK-${plan.id.slice(4)}-${String(i + 1).padStart(width, '0')}`]));
}

export function decide(command: PlanCommand, state: PlanState): PlanEvent[] {
  switch (command.type) {
    case 'CreatePlan': {
      if (state) throw new ConflictError('PLAN.EXISTS', `Plan ${command.plan.id} exists already`);
      const { analysis } = command.plan;
      if (!analysis.valid) {
        throw new RuleViolation(
          'PLAN.INVALID',
          `The decomposition is not a valid DAG: ${analysis.errors.map((e) => e.message).join('; ')}`,
          analysis.errors.map((e) => ({ kind: 'task', name: e.taskIds.join(' → '), hint: e.message })),
          { errors: analysis.errors },
        );
      }
      return [{ type: 'orchestration.plan.created', data: command.plan }];
    }
    case 'AcceptPlan': {
      if (!state) throw new NotFoundError('PLAN.NOT_FOUND', `Plan ${command.id} does not exist`);
      const sprintCode = command.sprintCode ?? state.sprintCode;
      if (state.status === 'ACCEPTED') {
        if (sprintCode === state.sprintCode) return [];
        throw new ConflictError('PLAN.ALREADY_ACCEPTED', `Plan ${state.id} was accepted into ${state.sprintCode}, not ${sprintCode}`, { sprintCode: state.sprintCode });
      }
      if (!sprintCode) {
        throw new RuleViolation('PLAN.SPRINT_REQUIRED', `Plan ${state.id} names no sprint to create its tasks in`, [{ kind: 'field', name: 'sprintCode', hint: 'send {"sprintCode": "SPR-…"}' }]);
      }
      return [{ type: 'orchestration.plan.accepted', data: { sprintCode, taskCodes: taskCodesFor(state) } }];
    }
    default: {
      const never: never = command;
      return never;
    }
  }
}

export const PlanAggregate: AggregateDefinition<PlanState, PlanEvent> = { type: 'plan', initialState, evolve, eventSchema: PlanEvent };
