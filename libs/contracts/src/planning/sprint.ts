import { z } from 'zod';
import { SprintCode } from '../common/ids';

export const SprintStatus = z.enum(['PLANNED', 'ACTIVE', 'COMPLETED', 'CANCELLED']);
export type SprintStatus = z.infer<typeof SprintStatus>;

const Title = z.string().trim().min(1, 'must not be empty').max(200);
const Goal = z.string().max(4000);

// ---- REST bodies (strict: an unknown field is a 400 naming it) ----

export const CreateSprintBody = z.strictObject({ code: SprintCode, title: Title, goal: Goal.optional() });
export type CreateSprintBody = z.infer<typeof CreateSprintBody>;

export const SprintChanges = z.strictObject({
  title: Title.optional(),
  goal: Goal.nullable().optional(),
  status: SprintStatus.optional(),
});
export type SprintChanges = z.infer<typeof SprintChanges>;

export const UpdateSprintBody = SprintChanges.refine((c) => Object.keys(c).length > 0, 'name at least one field to change');
export type UpdateSprintBody = z.infer<typeof UpdateSprintBody>;

// ---- events ----

export const SprintCreated = z.object({
  type: z.literal('orchestration.sprint.created'),
  data: z.object({ code: SprintCode, title: z.string(), goal: z.string().nullable(), status: SprintStatus }),
});
export const SprintUpdated = z.object({
  type: z.literal('orchestration.sprint.updated'),
  data: z.object({ changes: SprintChanges }),
});
export const SprintEvent = z.discriminatedUnion('type', [SprintCreated, SprintUpdated]);
export type SprintEvent = z.infer<typeof SprintEvent>;

// ---- read model ----

export const SprintView = z.object({
  code: SprintCode,
  title: z.string(),
  goal: z.string().nullable(),
  status: SprintStatus,
  version: z.number().int(),
  taskCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type SprintView = z.infer<typeof SprintView>;

export const ListSprintsQuery = z.strictObject({
  status: SprintStatus.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  after: SprintCode.optional(),
});
export type ListSprintsQuery = z.infer<typeof ListSprintsQuery>;

export const SprintPage = z.object({ items: z.array(SprintView), nextCursor: SprintCode.nullable() });
export type SprintPage = z.infer<typeof SprintPage>;
