import type { SprintView, TaskView } from '@orch/contracts';
import type { Sprint } from '../sprints/sprint';
import type { Task } from '../tasks/task';
import type { OrchestrationSprint, OrchestrationTask } from './entities';

export function sprintViewFromRow(row: OrchestrationSprint, taskCount: number): SprintView {
  return {
    code: row.sprintCode,
    title: row.title,
    goal: row.goal,
    status: row.status as SprintView['status'],
    version: row.version,
    taskCount,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** A command's answer comes from the aggregate just written, not from the (maybe lagging) read model. */
export function sprintViewFromState(s: Sprint, taskCount: number): SprintView {
  return { code: s.code, title: s.title, goal: s.goal, status: s.status, version: s.version, taskCount, createdAt: s.createdAt, updatedAt: s.updatedAt };
}

export function taskViewFromRow(row: OrchestrationTask): TaskView {
  return {
    code: row.taskCode,
    sprintCode: row.sprintCode,
    title: row.title,
    description: row.description,
    type: row.type,
    priority: row.priority as TaskView['priority'],
    estimateMinutes: row.estimateMinutes,
    requiredCapabilities: row.requiredCapabilities,
    dependsOn: row.dependsOn,
    status: row.status as TaskView['status'],
    assignee: row.assignee,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    metadata: row.metadata,
  };
}

export function taskViewFromState(t: Task, metadata: Record<string, unknown> = {}): TaskView {
  return { ...t, metadata };
}
