import type { MemberTask, WorkflowRow } from './workflow-status';
import { workflowStatus } from './workflow-status';

const now = new Date('2026-03-01T09:00:00.000Z');
const row = (status: WorkflowRow['status'] = 'RUNNING'): WorkflowRow => ({
  id: 'WFL-1', planId: null, sprintCode: 'SPR-1', status, taskCodes: ['A', 'B', 'C', 'D', 'E'],
  retry: { maxAttempts: 3, backoffMs: 1000, maxBackoffMs: 10_000 }, version: 1, createdAt: 'x', updatedAt: 'x',
});
const task = (code: string, status: MemberTask['status'], estimateMinutes: number | null, dependsOn: string[] = []): MemberTask => ({ code, status, estimateMinutes, dependsOn });

/**
 * A done, B (30) and C (90) wait for A, D (45) waits for B and C, E (20) waits for B.
 * Open: B → D = 75, C → D = 135, B → E = 50: the remaining critical path is C → D, 135 minutes.
 */
const tasks = [task('A', 'DONE', 60), task('B', 'IN_PROGRESS', 30, ['A']), task('C', 'READY', 90, ['A']), task('D', 'BACKLOG', 45, ['B', 'C']), task('E', 'BACKLOG', 20, ['B'])];

describe('the status of a workflow', () => {
  it('gives the remaining critical path among open tasks, and its ETA as now plus its length', () => {
    const s = workflowStatus(row(), tasks, {}, now);
    expect(s).toMatchObject({ remainingCriticalPath: ['C', 'D'], remainingCriticalPathMinutes: 135, remainingEffortMinutes: 185 });
    expect(s.eta).toBe('2026-03-01T11:15:00.000Z');
  });

  it('counts every status, and progress as the share of estimated effort done', () => {
    const s = workflowStatus(row(), tasks, { B: 2 }, now);
    expect(s.counts).toMatchObject({ DONE: 1, IN_PROGRESS: 1, READY: 1, BACKLOG: 2, FAILED: 0, BLOCKED: 0 });
    expect(s.progress).toBe(0.245); // 60 of 245 minutes
    expect(s.attempts).toEqual({ B: 2 });
  });

  it('keeps the ETA while paused (it is what would remain), and has none once finished or with nothing open', () => {
    expect(workflowStatus(row('PAUSED'), tasks, {}, now).eta).toBe('2026-03-01T11:15:00.000Z');
    expect(workflowStatus(row('CANCELLED'), tasks, {}, now).eta).toBeNull();
    const allDone = tasks.map((t) => ({ ...t, status: 'DONE' as const }));
    expect(workflowStatus(row(), allDone, {}, now)).toMatchObject({ eta: null, remainingCriticalPath: [], remainingCriticalPathMinutes: 0, progress: 1 });
  });

  it('counts a task without an estimate as no time', () => {
    const s = workflowStatus(row(), [task('A', 'READY', null), task('B', 'READY', 10, ['A'])], {}, now);
    expect(s).toMatchObject({ remainingCriticalPathMinutes: 10, eta: '2026-03-01T09:10:00.000Z' });
  });
});
