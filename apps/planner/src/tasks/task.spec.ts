import type { TaskEvent } from '@orch/contracts';
import { ConflictError, NotFoundError, RuleViolation } from '@orch/errors';
import { deciderSpec } from '@orch/testing';
import { decide, evolve, initialState, type TaskFacts } from './task';

const spec = deciderSpec({ initialState, evolve, decide });
const none: TaskFacts = { sprintMissing: false, missingDependencies: [], openDependencies: [], cycle: null };
const created = (over: Partial<Extract<TaskEvent, { type: 'orchestration.task.created' }>['data']> = {}): TaskEvent => ({
  type: 'orchestration.task.created',
  data: { code: 'TSK-1', sprintCode: null, title: 'Do it', description: '', type: 'feature', priority: 'MEDIUM', estimateMinutes: null, requiredCapabilities: [], dependsOn: [], status: 'BACKLOG', ...over },
});
const moved = (from: string, to: string): TaskEvent => ({ type: 'orchestration.task.status_updated', data: { from, to, reason: null } as never });
const update = (status: string, extra: object = {}, facts: Partial<TaskFacts> = {}) => ({ type: 'UpdateTask' as const, code: 'TSK-1', changes: {}, status: status as never, facts: { ...none, ...facts }, ...extra });

describe('a task', () => {
  describe('when it does not exist', () => {
    it('is created in the BACKLOG with defaults for what was not given', () => {
      spec.given([]).when({ type: 'CreateTask', task: { code: 'TSK-1', title: 'Do it' }, facts: none }).then([created()]);
    });

    it('cannot name a sprint that does not exist', () => {
      spec.given([]).when({ type: 'CreateTask', task: { code: 'TSK-1', title: 'x', sprintCode: 'SPR-9' }, facts: { ...none, sprintMissing: true } }).thenThrows(RuleViolation, 'TASK.SPRINT_NOT_FOUND');
    });

    it('names every unknown dependency', () => {
      const e = spec.given([]).when({ type: 'CreateTask', task: { code: 'TSK-1', title: 'x', dependsOn: ['TSK-7', 'TSK-8'] }, facts: { ...none, missingDependencies: ['TSK-7', 'TSK-8'] } }).thenThrows(RuleViolation, 'TASK.UNKNOWN_DEPENDENCIES');
      expect(e.missing).toEqual([expect.objectContaining({ name: 'TSK-7' }), expect.objectContaining({ name: 'TSK-8' })]);
    });

    it('cannot depend on itself', () => {
      spec.given([]).when({ type: 'CreateTask', task: { code: 'TSK-1', title: 'x', dependsOn: ['TSK-1'] }, facts: none }).thenThrows(RuleViolation, 'TASK.SELF_DEPENDENCY');
    });

    it('cannot be updated', () => {
      spec.given([]).when(update('READY')).thenThrows(NotFoundError, 'TASK.NOT_FOUND');
    });
  });

  describe('when in the BACKLOG', () => {
    it('refuses a second creation with its code', () => {
      spec.given([created()]).when({ type: 'CreateTask', task: { code: 'TSK-1', title: 'again' }, facts: none }).thenThrows(ConflictError, 'TASK.EXISTS');
    });

    it('becomes READY when its dependencies are done', () => {
      spec.given([created()]).when(update('READY', { reason: 'groomed' })).then([{ type: 'orchestration.task.status_updated', data: { from: 'BACKLOG', to: 'READY', reason: 'groomed' } }]);
    });

    it('cannot become READY while a dependency is open, and lists each one', () => {
      const e = spec.given([created({ dependsOn: ['TSK-0'] })]).when(update('READY', {}, { openDependencies: [{ code: 'TSK-0', status: 'IN_PROGRESS' }] })).thenThrows(RuleViolation, 'TASK.DEPENDENCIES_OPEN');
      expect(e.missing).toEqual([{ kind: 'dependency', name: 'TSK-0', hint: 'is IN_PROGRESS; it must be DONE first' }]);
    });

    it('cannot jump to DONE, and the error names the transition', () => {
      const e = spec.given([created()]).when(update('DONE')).thenThrows(RuleViolation, 'TASK.ILLEGAL_TRANSITION');
      expect(e.message).toBe('Task TSK-1 cannot go from BACKLOG to DONE');
    });

    it('records field changes and the status change in one commit, in that order', () => {
      spec
        .given([created()])
        .when({ type: 'UpdateTask', code: 'TSK-1', changes: { title: 'Do it well', priority: 'HIGH' }, status: 'BLOCKED', facts: none })
        .then([{ type: 'orchestration.task.updated', data: { changes: { title: 'Do it well', priority: 'HIGH' } } }, moved('BACKLOG', 'BLOCKED')]);
    });

    it('refuses new dependencies that would close a cycle, naming it', () => {
      const e = spec
        .given([created()])
        .when({ type: 'UpdateTask', code: 'TSK-1', changes: { dependsOn: ['TSK-2'] }, facts: { ...none, cycle: ['TSK-1', 'TSK-2', 'TSK-1'] } })
        .thenThrows(RuleViolation, 'TASK.DEPENDENCY_CYCLE');
      expect(e.message).toBe('dependsOn would close a cycle: TSK-1 → TSK-2 → TSK-1');
    });
  });

  describe('when READY', () => {
    const ready = [created(), moved('BACKLOG', 'READY')];

    it('needs an assignee to be ASSIGNED', () => {
      spec.given(ready).when(update('ASSIGNED')).thenThrows(RuleViolation, 'TASK.ASSIGNEE_REQUIRED');
    });

    it('is ASSIGNED together with its assignee', () => {
      spec
        .given(ready)
        .when({ ...update('ASSIGNED'), changes: { assignee: 'agent-1' } })
        .then([{ type: 'orchestration.task.updated', data: { changes: { assignee: 'agent-1' } } }, moved('READY', 'ASSIGNED')]);
    });
  });

  describe('when READY in a paused workflow', () => {
    const ready = [created(), moved('BACKLOG', 'READY')];
    const paused = { heldBy: { workflowId: 'WFL-1', status: 'PAUSED' as const } };

    it('cannot be ASSIGNED, naming the workflow (409)', () => {
      const e = spec.given(ready).when({ ...update('ASSIGNED', {}, paused), changes: { assignee: 'agent-1' } }).thenThrows(ConflictError, 'WORKFLOW.PAUSED');
      expect(e.message).toBe('Task TSK-1 belongs to workflow WFL-1, which is paused; it cannot be ASSIGNED until the workflow is resumed');
    });

    it('cannot be started straight away either (READY → IN_PROGRESS, as a session start does)', () => {
      const e = spec.given(ready).when(update('IN_PROGRESS', {}, paused)).thenThrows(ConflictError, 'WORKFLOW.PAUSED');
      expect(e.message).toContain('cannot be IN_PROGRESS');
    });

    it('may still go back to the BACKLOG or be cancelled', () => {
      spec.given(ready).when(update('CANCELLED', {}, paused)).then([moved('READY', 'CANCELLED')]);
    });
  });

  describe('when ASSIGNED before its workflow was paused', () => {
    it('may still start: the assignment was made while the workflow ran', () => {
      spec
        .given([created(), moved('BACKLOG', 'READY'), moved('READY', 'ASSIGNED')])
        .when(update('IN_PROGRESS', {}, { heldBy: { workflowId: 'WFL-1', status: 'PAUSED' } }))
        .then([moved('ASSIGNED', 'IN_PROGRESS')]);
    });
  });

  describe('when READY in a cancelled workflow', () => {
    it('cannot be started by either move, naming the workflow (409 WORKFLOW.CANCELLED)', () => {
      const cancelled = { heldBy: { workflowId: 'WFL-2', status: 'CANCELLED' as const } };
      for (const to of ['ASSIGNED', 'IN_PROGRESS']) {
        const e = spec.given([created(), moved('BACKLOG', 'READY')]).when({ ...update(to, {}, cancelled), changes: { assignee: 'agent-1' } }).thenThrows(ConflictError, 'WORKFLOW.CANCELLED');
        expect(e.message).toBe(`Task TSK-1 belongs to workflow WFL-2, which was cancelled; it cannot be ${to}`);
      }
    });
  });

  describe('when FAILED', () => {
    it('may be BLOCKED once its retries are exhausted, with the reason', () => {
      spec
        .given([created(), moved('BACKLOG', 'READY'), moved('READY', 'IN_PROGRESS'), moved('IN_PROGRESS', 'FAILED')])
        .when(update('BLOCKED', { reason: 'failed 3 times' }))
        .then([{ type: 'orchestration.task.status_updated', data: { from: 'FAILED', to: 'BLOCKED', reason: 'failed 3 times' } }]);
    });
  });

  describe('when DONE', () => {
    it('is final', () => {
      spec.given([created(), moved('BACKLOG', 'READY'), moved('READY', 'IN_PROGRESS'), moved('IN_PROGRESS', 'DONE')]).when(update('READY')).thenThrows(RuleViolation, 'TASK.ILLEGAL_TRANSITION');
    });

    it('accepts a status it already has as a no-op', () => {
      spec.given([created(), moved('BACKLOG', 'READY'), moved('READY', 'IN_PROGRESS'), moved('IN_PROGRESS', 'DONE')]).when(update('DONE')).then([]);
    });
  });
});
