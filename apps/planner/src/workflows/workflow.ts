import { WorkflowEvent, type RetryPolicy, type WorkflowStatus } from '@orch/contracts';
import { ConflictError, NotFoundError, RuleViolation } from '@orch/errors';
import type { AggregateDefinition, EventMeta } from '@orch/event-store';

export interface Workflow {
  id: string;
  planId: string | null;
  sprintCode: string | null;
  taskCodes: string[];
  retry: RetryPolicy;
  status: WorkflowStatus;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export type WorkflowState = Workflow | null;
type Started = Extract<WorkflowEvent, { type: 'orchestration.workflow.started' }>['data'];

export type WorkflowCommand =
  | { type: 'StartWorkflow'; workflow: Started }
  | { type: 'PauseWorkflow' | 'ResumeWorkflow' | 'CancelWorkflow'; id: string; reason: string | null }
  | { type: 'CompleteWorkflow'; id: string };

export const initialState = (): WorkflowState => null;

const STATUS_AFTER: Record<Exclude<WorkflowEvent['type'], 'orchestration.workflow.started'>, WorkflowStatus> = {
  'orchestration.workflow.paused': 'PAUSED',
  'orchestration.workflow.resumed': 'RUNNING',
  'orchestration.workflow.cancelled': 'CANCELLED',
  'orchestration.workflow.completed': 'COMPLETED',
};

export function evolve(state: WorkflowState, event: WorkflowEvent, meta: EventMeta): WorkflowState {
  if (event.type === 'orchestration.workflow.started') return { ...event.data, status: 'RUNNING', version: meta.version, createdAt: meta.occurredAt, updatedAt: meta.occurredAt };
  return state && { ...state, status: STATUS_AFTER[event.type], version: meta.version, updatedAt: meta.occurredAt };
}

/** RUNNING ⇄ PAUSED; either may be cancelled or completed; CANCELLED and COMPLETED are final. Repeats are no-ops. */
export function decide(command: WorkflowCommand, state: WorkflowState): WorkflowEvent[] {
  if (command.type === 'StartWorkflow') {
    const w = command.workflow;
    if (state) throw new ConflictError('WORKFLOW.EXISTS', `Workflow ${w.id} exists already`);
    if (w.taskCodes.length === 0) throw new RuleViolation('WORKFLOW.NO_TASKS', 'A workflow needs at least one task', [{ kind: 'task', name: w.sprintCode ?? w.planId ?? '', hint: 'add tasks to the sprint, or accept the plan first' }]);
    return [{ type: 'orchestration.workflow.started', data: w }];
  }
  if (!state) throw new NotFoundError('WORKFLOW.NOT_FOUND', `Workflow ${command.id} does not exist`);
  const finished = state.status === 'CANCELLED' || state.status === 'COMPLETED';
  const refuse = (verb: string) => {
    throw new RuleViolation('WORKFLOW.FINISHED', `Workflow ${state.id} is ${state.status}; it cannot be ${verb}`, [], { status: state.status });
  };
  switch (command.type) {
    case 'PauseWorkflow':
      if (state.status === 'PAUSED') return [];
      if (finished) return refuse('paused');
      return [{ type: 'orchestration.workflow.paused', data: { reason: command.reason } }];
    case 'ResumeWorkflow':
      if (state.status === 'RUNNING') return [];
      if (finished) return refuse('resumed');
      return [{ type: 'orchestration.workflow.resumed', data: { reason: command.reason } }];
    case 'CancelWorkflow':
      if (state.status === 'CANCELLED') return [];
      if (finished) return refuse('cancelled');
      return [{ type: 'orchestration.workflow.cancelled', data: { reason: command.reason } }];
    case 'CompleteWorkflow':
      return finished ? [] : [{ type: 'orchestration.workflow.completed', data: { taskCount: state.taskCodes.length } }];
    default: {
      const never: never = command;
      return never;
    }
  }
}

export const WorkflowAggregate: AggregateDefinition<WorkflowState, WorkflowEvent> = { type: 'workflow', initialState, evolve, eventSchema: WorkflowEvent };

/** Delay before retry number `retry` (1-based): exponential from `backoffMs`, capped. */
export function backoffMs(policy: RetryPolicy, retry: number): number {
  return Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** Math.max(0, retry - 1));
}
