import { z } from 'zod';
import { SprintCode, TaskCode } from '../common/ids';

export const TaskStatus = z.enum(['BACKLOG', 'READY', 'ASSIGNED', 'IN_PROGRESS', 'BLOCKED', 'DONE', 'FAILED', 'CANCELLED']);
export type TaskStatus = z.infer<typeof TaskStatus>;

export const TaskPriority = z.enum(['HIGH', 'MEDIUM', 'LOW']);
export type TaskPriority = z.infer<typeof TaskPriority>;

/** Task types pick the session workflow variant (e.g. `bug_fix`) and the plan template. */
export const TaskType = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be a lower-case word such as feature or bug_fix');
export const Capability = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a lower-case word such as code_generation');
export const AgentRef = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/, 'must be an agent id');

const Title = z.string().trim().min(1, 'must not be empty').max(200);
const Description = z.string().max(20_000);
const Estimate = z.number().int().min(1).max(100_000);
const Capabilities = z.array(Capability).max(32);
const DependsOn = z.array(TaskCode).max(100);

// ---- REST bodies ----

export const CreateTaskBody = z.strictObject({
  code: TaskCode.optional(),
  sprintCode: SprintCode.optional(),
  title: Title,
  description: Description.optional(),
  type: TaskType.optional(),
  priority: TaskPriority.optional(),
  estimateMinutes: Estimate.optional(),
  requiredCapabilities: Capabilities.optional(),
  dependsOn: DependsOn.optional(),
});
export type CreateTaskBody = z.infer<typeof CreateTaskBody>;

/** Fields that `PATCH /tasks/:code` may change besides the status. */
export const TaskChanges = z.strictObject({
  title: Title.optional(),
  description: Description.optional(),
  type: TaskType.optional(),
  priority: TaskPriority.optional(),
  estimateMinutes: Estimate.nullable().optional(),
  requiredCapabilities: Capabilities.optional(),
  dependsOn: DependsOn.optional(),
  sprintCode: SprintCode.nullable().optional(),
  assignee: AgentRef.nullable().optional(),
});
export type TaskChanges = z.infer<typeof TaskChanges>;

export const UpdateTaskBody = TaskChanges.extend({
  status: TaskStatus.optional(),
  reason: z.string().max(2000).optional(),
}).refine((b) => Object.keys(b).some((k) => k !== 'reason'), 'name at least one field to change');
export type UpdateTaskBody = z.infer<typeof UpdateTaskBody>;

// ---- events (the seeds' names) ----

export const TaskCreated = z.object({
  type: z.literal('orchestration.task.created'),
  data: z.object({
    code: TaskCode,
    sprintCode: SprintCode.nullable(),
    title: z.string(),
    description: z.string(),
    type: TaskType,
    priority: TaskPriority,
    estimateMinutes: z.number().int().nullable(),
    requiredCapabilities: z.array(Capability),
    dependsOn: z.array(TaskCode),
    status: TaskStatus,
  }),
});
export const TaskUpdated = z.object({
  type: z.literal('orchestration.task.updated'),
  data: z.object({ changes: TaskChanges }),
});
export const TaskStatusUpdated = z.object({
  type: z.literal('orchestration.task.status_updated'),
  data: z.object({ from: TaskStatus, to: TaskStatus, reason: z.string().nullable() }),
});
export const TaskEvent = z.discriminatedUnion('type', [TaskCreated, TaskUpdated, TaskStatusUpdated]);
export type TaskEvent = z.infer<typeof TaskEvent>;

// ---- read model ----

export const TaskView = z.object({
  code: TaskCode,
  sprintCode: SprintCode.nullable(),
  title: z.string(),
  description: z.string(),
  type: z.string(),
  priority: TaskPriority,
  estimateMinutes: z.number().int().nullable(),
  requiredCapabilities: z.array(z.string()),
  dependsOn: z.array(z.string()),
  status: TaskStatus,
  assignee: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  metadata: z.record(z.string(), z.unknown()),
});
export type TaskView = z.infer<typeof TaskView>;

export const ListTasksQuery = z.strictObject({
  sprint: SprintCode.optional(),
  status: TaskStatus.optional(),
  assignee: AgentRef.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  after: TaskCode.optional(),
});
export type ListTasksQuery = z.infer<typeof ListTasksQuery>;

export const TaskPage = z.object({ items: z.array(TaskView), nextCursor: TaskCode.nullable() });
export type TaskPage = z.infer<typeof TaskPage>;
