import { TaskStatus, type RetryPolicy, type WorkflowStatus, type WorkflowView } from '@orch/contracts';
import { criticalPath } from '../plans/graph/critical-path';
import { indexGraph } from '../plans/graph/dag';

export interface WorkflowRow {
  id: string;
  planId: string | null;
  sprintCode: string | null;
  status: WorkflowStatus;
  taskCodes: string[];
  retry: RetryPolicy;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface MemberTask {
  code: string;
  status: TaskStatus;
  estimateMinutes: number | null;
  dependsOn: string[];
}

const CLOSED: ReadonlySet<TaskStatus> = new Set(['DONE', 'CANCELLED']);

/**
 * A workflow's status from its tasks: counts per state, progress by estimated effort, and the
 * remaining critical path (the longest chain of estimates among open tasks) with its ETA.
 */
export function workflowStatus(w: WorkflowRow, tasks: MemberTask[], attempts: Record<string, number>, now: Date): WorkflowView {
  const counts = Object.fromEntries(TaskStatus.options.map((s) => [s, 0])) as Record<TaskStatus, number>;
  for (const t of tasks) counts[t.status]++;
  const effort = (t: MemberTask) => t.estimateMinutes ?? 0;
  const total = tasks.reduce((s, t) => s + effort(t), 0);
  const done = tasks.filter((t) => t.status === 'DONE');
  const progress = total > 0 ? done.reduce((s, t) => s + effort(t), 0) / total : tasks.length ? done.length / tasks.length : 0;
  const open = tasks.filter((t) => !CLOSED.has(t.status));
  const openCodes = new Set(open.map((t) => t.code));
  const cp = criticalPath(indexGraph(open.map((t) => ({ id: t.code, estimateMinutes: effort(t), dependsOn: t.dependsOn.filter((d) => openCodes.has(d)) }))));
  const minutes = cp?.minutes ?? 0;
  const live = w.status === 'RUNNING' || w.status === 'PAUSED';
  return {
    ...w,
    taskCount: w.taskCodes.length,
    counts,
    progress: Math.round(progress * 1000) / 1000,
    remainingEffortMinutes: open.reduce((s, t) => s + effort(t), 0),
    remainingCriticalPath: cp?.path ?? [],
    remainingCriticalPathMinutes: minutes,
    eta: live && open.length > 0 ? new Date(now.getTime() + minutes * 60_000).toISOString() : null,
    attempts,
  };
}
