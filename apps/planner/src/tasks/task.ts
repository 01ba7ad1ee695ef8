import { TaskEvent, type CreateTaskBody, type TaskChanges, type TaskPriority, type TaskStatus } from '@orch/contracts';
import { ConflictError, NotFoundError, RuleViolation, type MissingItem } from '@orch/errors';
import type { AggregateDefinition, EventMeta } from '@orch/event-store';

export interface Task {
  code: string;
  sprintCode: string | null;
  title: string;
  description: string;
  type: string;
  priority: TaskPriority;
  estimateMinutes: number | null;
  requiredCapabilities: string[];
  dependsOn: string[];
  status: TaskStatus;
  assignee: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export type TaskState = Task | null;

/**
 * What the handler looked up in other aggregates before deciding, so that `decide` stays pure:
 * whether the named sprint exists, which dependencies are unknown or not done, and whether the
 * new dependencies would close a cycle.
 */
export interface TaskFacts {
  sprintMissing: boolean;
  missingDependencies: string[];
  openDependencies: Array<{ code: string; status: TaskStatus }>;
  cycle: string[] | null;
  /**
   * A paused or cancelled workflow that holds the task: its work may not start (ASSIGNED or
   * IN_PROGRESS from any other state) until the workflow resumes; a cancelled one never.
   */
  heldBy?: { workflowId: string; status: 'PAUSED' | 'CANCELLED' } | null;
}

export type TaskCommand =
  | { type: 'CreateTask'; task: CreateTaskBody & { code: string }; facts: TaskFacts }
  | { type: 'UpdateTask'; code: string; changes: TaskChanges; status?: TaskStatus; reason?: string; facts: TaskFacts };

/** The status machine of SPEC §4.2. DONE is final; CANCELLED may go back to the backlog. */
export const NEXT_STATUS: Record<TaskStatus, TaskStatus[]> = {
  BACKLOG: ['READY', 'BLOCKED', 'CANCELLED'],
  READY: ['ASSIGNED', 'IN_PROGRESS', 'BACKLOG', 'BLOCKED', 'CANCELLED'],
  ASSIGNED: ['IN_PROGRESS', 'READY', 'BLOCKED', 'FAILED', 'CANCELLED'],
  IN_PROGRESS: ['DONE', 'FAILED', 'BLOCKED', 'READY', 'CANCELLED'],
  BLOCKED: ['READY', 'BACKLOG', 'IN_PROGRESS', 'CANCELLED'],
  FAILED: ['READY', 'BACKLOG', 'BLOCKED', 'CANCELLED'],
  DONE: [],
  CANCELLED: ['BACKLOG'],
};

/** Statuses that mean "work may happen now": every dependency must be DONE first. */
const NEEDS_DEPENDENCIES_DONE: TaskStatus[] = ['READY', 'ASSIGNED', 'IN_PROGRESS'];

export const initialState = (): TaskState => null;

export function evolve(state: TaskState, event: TaskEvent, meta: EventMeta): TaskState {
  switch (event.type) {
    case 'orchestration.task.created':
      return { ...event.data, assignee: null, version: meta.version, createdAt: meta.occurredAt, updatedAt: meta.occurredAt };
    case 'orchestration.task.updated':
      return state && ({ ...state, ...stripUndefined(event.data.changes), version: meta.version, updatedAt: meta.occurredAt } as Task);
    case 'orchestration.task.status_updated':
      return state && { ...state, status: event.data.to, version: meta.version, updatedAt: meta.occurredAt };
    default: {
      const never: never = event;
      return never;
    }
  }
}

export function decide(command: TaskCommand, state: TaskState): TaskEvent[] {
  switch (command.type) {
    case 'CreateTask': {
      const t = command.task;
      if (state) throw new ConflictError('TASK.EXISTS', `Task ${t.code} exists already`);
      checkReferences(t.code, t.dependsOn ?? [], command.facts);
      return [
        {
          type: 'orchestration.task.created',
          data: {
            code: t.code,
            sprintCode: t.sprintCode ?? null,
            title: t.title,
            description: t.description ?? '',
            type: t.type ?? 'feature',
            priority: t.priority ?? 'MEDIUM',
            estimateMinutes: t.estimateMinutes ?? null,
            requiredCapabilities: t.requiredCapabilities ?? [],
            dependsOn: [...new Set(t.dependsOn ?? [])],
            status: 'BACKLOG',
          },
        },
      ];
    }
    case 'UpdateTask': {
      if (!state) throw new NotFoundError('TASK.NOT_FOUND', `Task ${command.code} does not exist`);
      const changes = onlyChanged(state, command.changes);
      if (changes.dependsOn || changes.sprintCode) checkReferences(state.code, changes.dependsOn ?? [], command.facts);
      const events: TaskEvent[] = Object.keys(changes).length > 0 ? [{ type: 'orchestration.task.updated', data: { changes } }] : [];
      const to = command.status;
      if (to && to !== state.status) {
        checkTransition(state, to, { ...state, ...stripUndefined(changes) } as Task, command.facts);
        events.push({ type: 'orchestration.task.status_updated', data: { from: state.status, to, reason: command.reason ?? null } });
      }
      return events;
    }
    default: {
      const never: never = command;
      return never;
    }
  }
}

function checkReferences(code: string, dependsOn: string[], facts: TaskFacts): void {
  if (facts.sprintMissing) throw new RuleViolation('TASK.SPRINT_NOT_FOUND', 'The sprint named in sprintCode does not exist', [{ kind: 'sprint', name: 'sprintCode', hint: 'create the sprint first (POST /sprints)' }]);
  if (dependsOn.includes(code)) throw new RuleViolation('TASK.SELF_DEPENDENCY', `Task ${code} cannot depend on itself`, [{ kind: 'dependency', name: code, hint: 'remove it from dependsOn' }]);
  if (facts.missingDependencies.length > 0) {
    throw new RuleViolation(
      'TASK.UNKNOWN_DEPENDENCIES',
      `dependsOn names tasks that do not exist: ${facts.missingDependencies.join(', ')}`,
      facts.missingDependencies.map((name) => ({ kind: 'dependency', name, hint: 'create it first or remove it from dependsOn' })),
    );
  }
  if (facts.cycle) throw new RuleViolation('TASK.DEPENDENCY_CYCLE', `dependsOn would close a cycle: ${facts.cycle.join(' → ')}`, [], { cycle: facts.cycle });
}

function checkTransition(state: Task, to: TaskStatus, after: Task, facts: TaskFacts): void {
  if (!NEXT_STATUS[state.status].includes(to)) {
    throw new RuleViolation('TASK.ILLEGAL_TRANSITION', `Task ${state.code} cannot go from ${state.status} to ${to}`, [], {
      from: state.status,
      to,
      allowed: NEXT_STATUS[state.status],
    });
  }
  if (startsWork(state.status, to) && facts.heldBy) refuseHeld(state.code, to, facts.heldBy);
  if (NEEDS_DEPENDENCIES_DONE.includes(to) && facts.openDependencies.length > 0) {
    const missing: MissingItem[] = facts.openDependencies.map((d) => ({ kind: 'dependency', name: d.code, hint: `is ${d.status}; it must be DONE first` }));
    throw new RuleViolation('TASK.DEPENDENCIES_OPEN', `Task ${state.code} cannot be ${to} while dependencies are not done: ${facts.openDependencies.map((d) => d.code).join(', ')}`, missing);
  }
  if (to === 'ASSIGNED' && !after.assignee) {
    throw new RuleViolation('TASK.ASSIGNEE_REQUIRED', `Task ${state.code} needs an assignee to be ASSIGNED`, [{ kind: 'field', name: 'assignee', hint: 'set assignee in the same request' }]);
  }
}

/**
 * A new start of work: ASSIGNED, or IN_PROGRESS without having been ASSIGNED (a session started
 * straight on a READY task). ASSIGNED → IN_PROGRESS finishes a start made before any pause.
 */
export function startsWork(from: TaskStatus, to: TaskStatus): boolean {
  return to === 'ASSIGNED' || (to === 'IN_PROGRESS' && from !== 'ASSIGNED');
}

function refuseHeld(code: string, to: TaskStatus, held: NonNullable<TaskFacts['heldBy']>): never {
  const { workflowId, status } = held;
  if (status === 'PAUSED') {
    throw new ConflictError('WORKFLOW.PAUSED', `Task ${code} belongs to workflow ${workflowId}, which is paused; it cannot be ${to} until the workflow is resumed`, { workflowId });
  }
  throw new ConflictError('WORKFLOW.CANCELLED', `Task ${code} belongs to workflow ${workflowId}, which was cancelled; it cannot be ${to}`, { workflowId });
}

function onlyChanged(state: Task, changes: TaskChanges): TaskChanges {
  return Object.fromEntries(
    Object.entries(changes).filter(([k, v]) => v !== undefined && JSON.stringify(state[k as keyof Task]) !== JSON.stringify(v)),
  ) as TaskChanges;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export const TaskAggregate: AggregateDefinition<TaskState, TaskEvent> = {
  type: 'task',
  initialState,
  evolve,
  eventSchema: TaskEvent,
};
