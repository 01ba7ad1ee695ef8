import type { SprintView, TaskView } from '@orch/contracts';

/** Views as the planner would answer them, for fake services in the gateway's own tests. */
export const sampleTask = (over: Partial<TaskView> = {}): TaskView => ({
  code: 'TSK-1',
  sprintCode: null,
  title: 'Write the gateway',
  description: '',
  type: 'feature',
  priority: 'MEDIUM',
  estimateMinutes: null,
  requiredCapabilities: [],
  dependsOn: [],
  status: 'BACKLOG',
  assignee: null,
  version: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  metadata: {},
  ...over,
});

export const sampleSprint = (over: Partial<SprintView> = {}): SprintView => ({
  code: 'SPR-1',
  title: 'First sprint',
  goal: null,
  status: 'PLANNED',
  version: 1,
  taskCount: 0,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...over,
});
