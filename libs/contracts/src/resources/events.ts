import { z } from 'zod';
import { BudgetDimension, BudgetScope, BudgetThreshold } from './budgets';

// ---- the resource pool (aggregate `resource-pool`, one per system: id `default`) ----

const Amounts = { cpu: z.number().int(), memoryMb: z.number().int(), gpu: z.number().int() };
const Limits = z.object({ cpu: z.number().int().optional(), memoryMb: z.number().int().optional(), gpu: z.number().int().optional() });

export const ResourceHostRegistered = z.object({ type: z.literal('orchestration.resource.host_registered'), data: z.object({ hostId: z.string(), ...Amounts }) });
export const ResourceAllocated = z.object({
  type: z.literal('orchestration.resource.allocated'),
  data: z.object({ allocationId: z.string(), hostId: z.string(), agentType: z.string(), priority: z.number().int(), sprintCode: z.string().nullable(), ...Amounts }),
});
/** The spawn registered its agent: the slot is released when that agent exits or is terminated. */
export const ResourceBound = z.object({ type: z.literal('orchestration.resource.bound'), data: z.object({ allocationId: z.string(), agentId: z.string() }) });
export const ResourceReleased = z.object({
  type: z.literal('orchestration.resource.released'),
  data: z.object({ allocationId: z.string(), hostId: z.string(), agentId: z.string().nullable(), reason: z.string() }),
});
export const ResourceQuotasSet = z.object({ type: z.literal('orchestration.resource.quotas_set'), data: z.object({ perSprint: Limits.nullable(), sprints: z.record(z.string(), Limits) }) });

export const ResourcePoolEvent = z.discriminatedUnion('type', [ResourceHostRegistered, ResourceAllocated, ResourceBound, ResourceReleased, ResourceQuotasSet]);
export type ResourcePoolEvent = z.infer<typeof ResourcePoolEvent>;

// ---- budgets (aggregate `budget`, id = the session key or workflow id) ----

const Target = { scope: BudgetScope, scopeId: z.string() };
const PerDimension = z.object({ tokens: z.number(), costUsd: z.number(), wallSeconds: z.number() });

export const BudgetLimitsSet = z.object({
  type: z.literal('orchestration.budget.limits_set'),
  data: z.object({ ...Target, limits: z.object({ tokens: z.number().nullable(), costUsd: z.number().nullable(), wallSeconds: z.number().nullable() }) }),
});
export const BudgetUsageReported = z.object({
  type: z.literal('orchestration.budget.usage_reported'),
  /** `delta` as reported; `used`: the totals after it. */
  data: z.object({ ...Target, delta: PerDimension, used: PerDimension }),
});
/** Once per dimension and threshold (re-armed only when that dimension's limit changes). */
export const BudgetThresholdCrossed = z.object({
  type: z.literal('orchestration.budget.threshold_crossed'),
  data: z.object({ ...Target, dimension: BudgetDimension, percent: BudgetThreshold, used: z.number(), limit: z.number() }),
});

export const BudgetAggregateEvent = z.discriminatedUnion('type', [BudgetLimitsSet, BudgetUsageReported, BudgetThresholdCrossed]);
export type BudgetAggregateEvent = z.infer<typeof BudgetAggregateEvent>;
