import { z } from 'zod';
import { SprintCode, TaskCode } from '../common/ids';
import { ListCursor, ListPaging, PlanId } from './plan';
import { AgentRef, TaskStatus, TaskView } from './task';

export const WorkflowId = z.string().regex(/^WFL-[A-Za-z0-9_-]{1,60}$/, 'must look like WFL-0A1B2C3D4E');
export type WorkflowId = z.infer<typeof WorkflowId>;

export const WorkflowStatus = z.enum(['RUNNING', 'PAUSED', 'CANCELLED', 'COMPLETED']);
export type WorkflowStatus = z.infer<typeof WorkflowStatus>;

/**
 * What happens to a FAILED task: it goes back to READY after `backoffMs × 2^(retry-1)` (at most
 * `maxBackoffMs`) until it has run `maxAttempts` times; then it is BLOCKED with the reason.
 */
export const RetryPolicy = z.strictObject({
  maxAttempts: z.number().int().min(1).max(20),
  backoffMs: z.number().int().min(0).max(86_400_000),
  maxBackoffMs: z.number().int().min(0).max(86_400_000),
});
export type RetryPolicy = z.infer<typeof RetryPolicy>;

// ---- REST bodies ----

export const StartWorkflowBody = z
  .strictObject({ planId: PlanId.optional(), sprintCode: SprintCode.optional(), retry: RetryPolicy.partial().optional() })
  .refine((b) => (b.planId === undefined) !== (b.sprintCode === undefined), { message: 'name exactly one of planId or sprintCode', path: ['planId'] });
export type StartWorkflowBody = z.infer<typeof StartWorkflowBody>;

export const WorkflowIdParams = z.strictObject({ id: WorkflowId });
export type WorkflowIdParams = z.infer<typeof WorkflowIdParams>;

export const WorkflowControlBody = z.strictObject({ reason: z.string().max(2000).optional() });
export type WorkflowControlBody = z.infer<typeof WorkflowControlBody>;

// ---- events ----

export const WorkflowStarted = z.object({
  type: z.literal('orchestration.workflow.started'),
  data: z.object({
    id: WorkflowId,
    planId: PlanId.nullable(),
    sprintCode: SprintCode.nullable(),
    taskCodes: z.array(TaskCode),
    retry: RetryPolicy,
  }),
});
const Reason = z.object({ reason: z.string().nullable() });
export const WorkflowPaused = z.object({ type: z.literal('orchestration.workflow.paused'), data: Reason });
export const WorkflowResumed = z.object({ type: z.literal('orchestration.workflow.resumed'), data: Reason });
export const WorkflowCancelled = z.object({ type: z.literal('orchestration.workflow.cancelled'), data: Reason });
export const WorkflowCompleted = z.object({ type: z.literal('orchestration.workflow.completed'), data: z.object({ taskCount: z.number().int() }) });
export const WorkflowEvent = z.discriminatedUnion('type', [WorkflowStarted, WorkflowPaused, WorkflowResumed, WorkflowCancelled, WorkflowCompleted]);
export type WorkflowEvent = z.infer<typeof WorkflowEvent>;

// ---- read model ----

export const WorkflowView = z.object({
  id: WorkflowId,
  planId: PlanId.nullable(),
  sprintCode: SprintCode.nullable(),
  status: WorkflowStatus,
  retry: RetryPolicy,
  taskCount: z.number().int(),
  /** Tasks per status, every status named (0 when none). */
  counts: z.record(TaskStatus, z.number().int()),
  /** Share of the estimated effort that is DONE, 0..1. */
  progress: z.number(),
  remainingEffortMinutes: z.number(),
  /** The longest chain of estimates among tasks not yet DONE, and when it would end if started now. */
  remainingCriticalPath: z.array(TaskCode),
  remainingCriticalPathMinutes: z.number(),
  eta: z.string().nullable(),
  /** Runs each task has made so far (failed runs, plus one under way or done), for tasks that failed at least once. */
  attempts: z.record(z.string(), z.number().int()),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type WorkflowView = z.infer<typeof WorkflowView>;

// ---- next task ----

export const NextTaskQuery = z.strictObject({ agent: AgentRef, sprint: SprintCode.optional() });
export type NextTaskQuery = z.infer<typeof NextTaskQuery>;

export const NextTaskReply = z.object({
  task: TaskView.nullable(),
  /** Why this one (or why none). */
  reason: z.string(),
  slackMinutes: z.number().nullable(),
  agent: z.object({ id: z.string(), capabilities: z.array(z.string()), known: z.boolean() }),
});
export type NextTaskReply = z.infer<typeof NextTaskReply>;

// ---- list (newest first) ----

export const ListWorkflowsQuery = z.strictObject({
  sprint: SprintCode.optional(),
  plan: PlanId.optional(),
  status: WorkflowStatus.optional(),
  ...ListPaging,
});
export type ListWorkflowsQuery = z.infer<typeof ListWorkflowsQuery>;

/** A workflow in a list: its state and how far its tasks are (`GET /workflows/:id` has the rest). */
export const WorkflowSummary = z.object({
  id: WorkflowId,
  planId: PlanId.nullable(),
  sprintCode: SprintCode.nullable(),
  status: WorkflowStatus,
  taskCount: z.number().int(),
  done: z.number().int(),
  blocked: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type WorkflowSummary = z.infer<typeof WorkflowSummary>;

export const WorkflowPage = z.object({ items: z.array(WorkflowSummary), nextCursor: ListCursor.nullable() });
export type WorkflowPage = z.infer<typeof WorkflowPage>;
