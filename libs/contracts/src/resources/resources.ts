import { z } from 'zod';
import { SprintCode } from '../common/ids';

/** Host names are subject-, URL- and log-safe words, like agent type names. */
export const HostId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be a lower-case name such as gpu-1 (letters, digits, "_" or "-")');
export type HostId = z.infer<typeof HostId>;

/** Whole units: cpus, megabytes of memory, gpu slots. Sums stay exact; no float drift. */
export const CpuCount = z.number().int('must be a whole number of cpus').min(0).max(100_000);
export const MemoryMb = z.number().int('must be a whole number of megabytes').min(0).max(1_000_000_000);
export const GpuCount = z.number().int('must be a whole number of gpu slots').min(0).max(10_000);

/** How the allocator orders spawns that compete for the same capacity (config/resources.yaml). */
export const AllocationPolicy = z.enum(['priority', 'fair_share']);
export type AllocationPolicy = z.infer<typeof AllocationPolicy>;

export const ResourceAmounts = z.object({ cpu: z.number(), memoryMb: z.number(), gpu: z.number() });
export type ResourceAmounts = z.infer<typeof ResourceAmounts>;

// ---- REST bodies (strict: an unknown field is a 400 naming it) ----

/** `POST /resources/hosts`: a host joins the pool (config/resources.yaml declares the others). */
export const RegisterHostBody = z.strictObject({
  id: HostId,
  cpu: CpuCount.min(1, 'a host needs at least 1 cpu'),
  memoryMb: MemoryMb.min(1, 'a host needs some memory'),
  gpu: GpuCount.default(0),
});
export type RegisterHostBody = z.infer<typeof RegisterHostBody>;

/** A cap on what one sprint's spawned agents hold at once; an absent resource is not capped. */
export const QuotaLimits = z.strictObject({ cpu: CpuCount.optional(), memoryMb: MemoryMb.optional(), gpu: GpuCount.optional() });
export type QuotaLimits = z.infer<typeof QuotaLimits>;

/**
 * `PUT /resources/quotas` replaces every quota: `perSprint` applies to each sprint without its
 * own entry in `sprints`. Spawns that carry no sprint code are not under sprint quotas.
 */
export const SetQuotasBody = z
  .strictObject({
    perSprint: QuotaLimits.nullable().optional(),
    sprints: z.record(SprintCode, QuotaLimits).optional(),
  })
  .refine((b) => b.perSprint !== undefined || b.sprints !== undefined, { message: 'name perSprint, sprints or both (PUT replaces every quota)', path: ['perSprint'] })
  .refine((b) => Object.keys(b.sprints ?? {}).length <= 500, { message: 'at most 500 sprints', path: ['sprints'] });
export type SetQuotasBody = z.infer<typeof SetQuotasBody>;

// ---- views ----

export const HostView = z.object({
  id: z.string(),
  /** `config` (config/resources.yaml), `api` (POST /resources/hosts), `removed` (gone from the config; its agents still hold slots). */
  source: z.enum(['config', 'api', 'removed']),
  capacity: ResourceAmounts,
  used: ResourceAmounts,
  free: ResourceAmounts,
  allocations: z.number().int(),
});
export type HostView = z.infer<typeof HostView>;

export const AllocationView = z.object({
  allocationId: z.string(),
  hostId: z.string(),
  /** Null between the reservation and the agent's registration (a spawn in flight). */
  agentId: z.string().nullable(),
  agentType: z.string(),
  sprintCode: z.string().nullable(),
  priority: z.number().int(),
  need: ResourceAmounts,
  allocatedAt: z.string(),
});
export type AllocationView = z.infer<typeof AllocationView>;

export const SprintResourceUsage = z.object({
  /** Null: spawns that carried no sprint code. */
  sprintCode: z.string().nullable(),
  used: ResourceAmounts,
  quota: QuotaLimits.nullable(),
  allocations: z.number().int(),
});
export type SprintResourceUsage = z.infer<typeof SprintResourceUsage>;

export const ResourceQuotas = z.object({ perSprint: QuotaLimits.nullable(), sprints: z.record(z.string(), QuotaLimits) });
export type ResourceQuotas = z.infer<typeof ResourceQuotas>;

/** `GET /resources`: every host, what is used and free, per sprint, and the live allocations. */
export const ResourcesView = z.object({
  policy: AllocationPolicy,
  hosts: z.array(HostView),
  total: z.object({ capacity: ResourceAmounts, used: ResourceAmounts, free: ResourceAmounts }),
  sprints: z.array(SprintResourceUsage),
  quotas: ResourceQuotas,
  allocations: z.array(AllocationView),
  version: z.number().int(),
});
export type ResourcesView = z.infer<typeof ResourcesView>;

export const QuotasReply = z.object({ quotas: ResourceQuotas, warnings: z.array(z.string()) });
export type QuotasReply = z.infer<typeof QuotasReply>;

/** Where a spawn was placed (in `POST /agents/spawn`'s answer). */
export const SpawnPlacement = z.object({ allocationId: z.string(), hostId: z.string(), need: ResourceAmounts });
export type SpawnPlacement = z.infer<typeof SpawnPlacement>;
