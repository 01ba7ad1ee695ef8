import type { WorkflowEvent } from '@orch/contracts';
import { ConflictError, NotFoundError, RuleViolation } from '@orch/errors';
import { deciderSpec } from '@orch/testing';
import { backoffMs, decide, evolve, initialState } from './workflow';

const spec = deciderSpec({ initialState, evolve, decide });
const retry = { maxAttempts: 3, backoffMs: 1000, maxBackoffMs: 3000 };
const data = { id: 'WFL-1', planId: null, sprintCode: 'SPR-1', taskCodes: ['TSK-1', 'TSK-2'], retry };
const started: WorkflowEvent = { type: 'orchestration.workflow.started', data };
const paused: WorkflowEvent = { type: 'orchestration.workflow.paused', data: { reason: 'freeze' } };
const cancelled: WorkflowEvent = { type: 'orchestration.workflow.cancelled', data: { reason: null } };
const completed: WorkflowEvent = { type: 'orchestration.workflow.completed', data: { taskCount: 2 } };
const control = (type: 'PauseWorkflow' | 'ResumeWorkflow' | 'CancelWorkflow', reason: string | null = null) => ({ type, id: 'WFL-1', reason });

describe('a workflow', () => {
  it('starts over its tasks, and not twice', () => {
    spec.given([]).when({ type: 'StartWorkflow', workflow: data }).then([started]);
    spec.given([started]).when({ type: 'StartWorkflow', workflow: data }).thenThrows(ConflictError, 'WORKFLOW.EXISTS');
  });

  it('needs tasks', () => {
    spec.given([]).when({ type: 'StartWorkflow', workflow: { ...data, taskCodes: [] } }).thenThrows(RuleViolation, 'WORKFLOW.NO_TASKS');
  });

  it('cannot be controlled before it exists', () => {
    spec.given([]).when(control('PauseWorkflow')).thenThrows(NotFoundError, 'WORKFLOW.NOT_FOUND');
  });

  describe('when RUNNING', () => {
    it('pauses with a reason; resuming is a no-op', () => {
      spec.given([started]).when(control('PauseWorkflow', 'freeze')).then([paused]);
      spec.given([started]).when(control('ResumeWorkflow')).then([]);
    });

    it('completes once', () => {
      spec.given([started]).when({ type: 'CompleteWorkflow', id: 'WFL-1' }).then([completed]);
      spec.given([started, completed]).when({ type: 'CompleteWorkflow', id: 'WFL-1' }).then([]);
    });
  });

  describe('when PAUSED', () => {
    it('resumes, and pausing again is a no-op', () => {
      spec.given([started, paused]).when(control('ResumeWorkflow', 'thaw')).then([{ type: 'orchestration.workflow.resumed', data: { reason: 'thaw' } }]);
      spec.given([started, paused]).when(control('PauseWorkflow')).then([]);
    });

    it('can be cancelled', () => {
      spec.given([started, paused]).when(control('CancelWorkflow')).then([cancelled]);
    });
  });

  describe('when finished', () => {
    it('cannot be paused, resumed or cancelled after completing', () => {
      for (const c of ['PauseWorkflow', 'ResumeWorkflow', 'CancelWorkflow'] as const) spec.given([started, completed]).when(control(c)).thenThrows(RuleViolation, 'WORKFLOW.FINISHED');
    });

    it('ignores a completion after a cancel, and a second cancel', () => {
      spec.given([started, cancelled]).when({ type: 'CompleteWorkflow', id: 'WFL-1' }).then([]);
      spec.given([started, cancelled]).when(control('CancelWorkflow')).then([]);
    });
  });

  it('backs off exponentially up to the cap', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(retry, n))).toEqual([1000, 2000, 3000, 3000]);
  });
});
