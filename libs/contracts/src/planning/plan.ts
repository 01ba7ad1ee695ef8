import { z } from 'zod';
import { SprintCode, TaskCode } from '../common/ids';
import { Capability, TaskPriority, TaskType } from './task';

/** A plan's id: `PLN-` and ten hex digits derived from the creating command (retries land on it). */
export const PlanId = z.string().regex(/^PLN-[A-Za-z0-9_-]{1,60}$/, 'must look like PLN-0A1B2C3D4E');
export type PlanId = z.infer<typeof PlanId>;

/** Ids of tasks inside a plan or a DAG sent for validation (e.g. `tests.unit`). */
export const DagTaskId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, 'must be 1-128 letters, digits, "_", ".", ":" or "-"');
export const TemplateName = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be a template name such as feature or bug_fix');
const ParamName = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be a lower-case parameter name');

/** Most tasks a DAG may have: larger ones are refused with a clear 400, never left to hang. */
export const MAX_DAG_TASKS = 10_000;
const Minutes = z.number().int().min(0).max(100_000);
const Agents = z.number().int().min(1).max(1_000);
const CostPerHour = z.number().min(0).max(100_000);

// ---- REST bodies ----

export const CreatePlanBody = z.strictObject({
  goal: z.string().trim().min(1, 'must not be empty').max(4000),
  template: TemplateName,
  sprintCode: SprintCode.optional(),
  params: z.record(ParamName, z.string().max(200)).optional(),
  /** How many agents the wall-clock estimate assumes (default: registered agents, else 1). */
  agents: Agents.optional(),
});
export type CreatePlanBody = z.infer<typeof CreatePlanBody>;

export const DagTask = z.strictObject({
  id: DagTaskId,
  title: z.string().trim().min(1, 'must not be empty').max(200),
  estimateMinutes: Minutes,
  dependsOn: z.array(DagTaskId).max(1_000).default([]),
  requiredCapabilities: z.array(Capability).max(32).optional(),
  priority: TaskPriority.optional(),
});
export type DagTask = z.infer<typeof DagTask>;

export const ValidateDagBody = z.strictObject({
  tasks: z.array(DagTask).min(1, 'must name at least one task').max(MAX_DAG_TASKS, `must have at most ${MAX_DAG_TASKS} tasks`),
  agents: Agents.optional(),
  costPerHour: CostPerHour.optional(),
});
export type ValidateDagBody = z.infer<typeof ValidateDagBody>;

export const AcceptPlanBody = z.strictObject({ sprintCode: SprintCode.optional() });
export type AcceptPlanBody = z.infer<typeof AcceptPlanBody>;

export const PlanIdParams = z.strictObject({ id: PlanId });
export type PlanIdParams = z.infer<typeof PlanIdParams>;

// ---- templates ----

export const TemplateSummary = z.object({
  name: z.string(),
  description: z.string(),
  params: z.array(z.object({ name: z.string(), required: z.boolean(), default: z.string().nullable(), description: z.string().nullable() })),
  methods: z.array(z.string()),
  /** Primitive tasks a goal decomposes into with this template. */
  taskCount: z.number().int(),
});
export type TemplateSummary = z.infer<typeof TemplateSummary>;

export const TemplateList = z.object({ decomposer: z.string(), items: z.array(TemplateSummary) });
export type TemplateList = z.infer<typeof TemplateList>;

// ---- analysis (validation + optimisation) ----

export const DagIssue = z.object({
  code: z.string(),
  message: z.string(),
  taskIds: z.array(z.string()),
});
export type DagIssue = z.infer<typeof DagIssue>;

export const PlanAnalysis = z.object({
  valid: z.boolean(),
  errors: z.array(DagIssue),
  warnings: z.array(DagIssue),
  taskCount: z.number().int(),
  /** Topological levels: every task of a layer can run in parallel once the layers before are done. */
  layers: z.array(z.array(z.string())),
  criticalPath: z.array(z.string()),
  criticalPathMinutes: z.number(),
  totalEffortMinutes: z.number(),
  agents: z.number().int(),
  /** List-scheduled with `agents` agents, longest remaining path first. */
  wallClockMinutes: z.number(),
  costPerHour: z.number(),
  estimatedCost: z.number(),
  /** Minutes each task can slip without delaying the whole plan (0 on the critical path). */
  slackMinutes: z.record(z.string(), z.number()),
});
export type PlanAnalysis = z.infer<typeof PlanAnalysis>;

// ---- plans ----

export const EstimateSource = z.enum(['template', 'learned']);
export type EstimateSource = z.infer<typeof EstimateSource>;

export const PlanTask = z.object({
  id: DagTaskId,
  title: z.string(),
  description: z.string(),
  type: TaskType,
  priority: TaskPriority,
  estimateMinutes: z.number().int(),
  estimateSource: EstimateSource,
  /** `template`, or `learned (n=4)` with the number of tracked tasks behind it. */
  estimateLabel: z.string(),
  templateEstimateMinutes: z.number().int(),
  requiredCapabilities: z.array(Capability),
  dependsOn: z.array(DagTaskId),
  /** The template step it came from (`feature.main.implement`): what estimates learn by. */
  step: z.string(),
});
export type PlanTask = z.infer<typeof PlanTask>;

export const PlanStatus = z.enum(['PROPOSED', 'ACCEPTED']);
export type PlanStatus = z.infer<typeof PlanStatus>;

export const PlanCreated = z.object({
  type: z.literal('orchestration.plan.created'),
  data: z.object({
    id: PlanId,
    goal: z.string(),
    template: TemplateName,
    params: z.record(z.string(), z.string()),
    decomposer: z.string(),
    sprintCode: SprintCode.nullable(),
    tasks: z.array(PlanTask),
    analysis: PlanAnalysis,
  }),
});
export const PlanAccepted = z.object({
  type: z.literal('orchestration.plan.accepted'),
  data: z.object({ sprintCode: SprintCode, taskCodes: z.record(z.string(), TaskCode) }),
});
export const PlanEvent = z.discriminatedUnion('type', [PlanCreated, PlanAccepted]);
export type PlanEvent = z.infer<typeof PlanEvent>;

export const PlanView = z.object({
  id: PlanId,
  goal: z.string(),
  template: z.string(),
  params: z.record(z.string(), z.string()),
  decomposer: z.string(),
  status: PlanStatus,
  sprintCode: SprintCode.nullable(),
  tasks: z.array(PlanTask.extend({ taskCode: TaskCode.nullable() })),
  analysis: PlanAnalysis,
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type PlanView = z.infer<typeof PlanView>;

// ---- lists (newest first) ----

/** The keyset cursor of the plan and workflow lists: the `nextCursor` of the previous page, opaque. */
export const ListCursor = z.string().regex(/^[1-9][0-9]{0,17}$/, 'must be the nextCursor of the previous page');
export type ListCursor = z.infer<typeof ListCursor>;

/** The paging fields of the plan and workflow lists. */
export const ListPaging = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  after: ListCursor.optional(),
};

export const ListPlansQuery = z.strictObject({
  sprint: SprintCode.optional(),
  status: PlanStatus.optional(),
  ...ListPaging,
});
export type ListPlansQuery = z.infer<typeof ListPlansQuery>;

/** A plan in a list: what tells plans apart, without their tasks. */
export const PlanSummary = z.object({
  id: PlanId,
  goal: z.string(),
  template: z.string(),
  status: PlanStatus,
  sprintCode: SprintCode.nullable(),
  taskCount: z.number().int(),
  criticalPathMinutes: z.number(),
  totalEffortMinutes: z.number(),
  valid: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type PlanSummary = z.infer<typeof PlanSummary>;

export const PlanPage = z.object({ items: z.array(PlanSummary), nextCursor: ListCursor.nullable() });
export type PlanPage = z.infer<typeof PlanPage>;
