import type { AllocationPolicy, QuotaLimits } from '@orch/contracts';

/** Whole cpus, megabytes, gpu slots. */
export interface Amounts {
  cpu: number;
  memoryMb: number;
  gpu: number;
}
export const RESOURCES = ['cpu', 'memoryMb', 'gpu'] as const;
export type Resource = (typeof RESOURCES)[number];
export const ZERO: Amounts = { cpu: 0, memoryMb: 0, gpu: 0 };

export const add = (a: Amounts, b: Amounts): Amounts => ({ cpu: a.cpu + b.cpu, memoryMb: a.memoryMb + b.memoryMb, gpu: a.gpu + b.gpu });
export const sub = (a: Amounts, b: Amounts): Amounts => ({ cpu: a.cpu - b.cpu, memoryMb: a.memoryMb - b.memoryMb, gpu: a.gpu - b.gpu });
const fits = (need: Amounts, free: Amounts): boolean => RESOURCES.every((r) => need[r] <= free[r]);

/** "4 cpu", "2048 MB memory", "1 gpu". */
export function amount(r: Resource, n: number): string {
  return r === 'memoryMb' ? `${n} MB memory` : `${n} ${r}`;
}
const list = (parts: string[]): string => (parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`);

export interface HostUse {
  id: string;
  capacity: Amounts;
  used: Amounts;
}

export interface PlacementRequest {
  allocationId: string;
  agentType: string;
  priority: number;
  sprintCode: string | null;
  need: Amounts;
}

export interface Quotas {
  perSprint: QuotaLimits | null;
  sprints: Record<string, QuotaLimits>;
}

export interface Shortfall {
  resource: Resource;
  needed: number;
  /** Free on the host named (exhausted), left under the quota (quota), or the host's whole capacity (never fits). */
  available: number;
}

/**
 * Why a spawn was refused. `exhausted` and `quota` may pass later (something is released);
 * `never_fits` and `no_hosts` will not until the pool itself changes.
 */
export interface Refusal {
  kind: 'exhausted' | 'quota' | 'never_fits' | 'no_hosts';
  message: string;
  hostId: string | null;
  short: Shortfall[];
}

export type Outcome = { request: PlacementRequest; hostId: string } | { request: PlacementRequest; refusal: Refusal };

export function quotaOf(quotas: Quotas, sprintCode: string | null): QuotaLimits | null {
  if (sprintCode === null) return null;
  return Object.hasOwn(quotas.sprints, sprintCode) ? quotas.sprints[sprintCode]! : quotas.perSprint;
}

/**
 * Places a batch of spawns that compete for the pool, one by one in the policy's order:
 * `priority` serves higher-priority agent types first; `fair_share` serves next the sprint
 * whose dominant share of the pool (its largest fraction of any resource) is smallest, so
 * sprints alternate instead of the first to ask taking everything. Within each, arrival order.
 * Each request goes to the fitting host with the least left over (GPU hosts are kept for work
 * that needs a GPU), or is refused with what is short.
 */
export function placeBatch(hosts: HostUse[], sprintUse: Map<string | null, Amounts>, quotas: Quotas, requests: PlacementRequest[], policy: AllocationPolicy): Outcome[] {
  const free = new Map(hosts.map((h) => [h.id, sub(h.capacity, h.used)]));
  const use = new Map(sprintUse);
  const total = hosts.reduce((acc, h) => add(acc, h.capacity), ZERO);
  const pending = policy === 'priority' ? [...requests].sort((a, b) => b.priority - a.priority) : [...requests];
  const outcomes: Outcome[] = [];
  while (pending.length > 0) {
    const index = policy === 'fair_share' ? leastServed(pending, use, total) : 0;
    const request = pending.splice(index, 1)[0]!;
    const used = use.get(request.sprintCode) ?? ZERO;
    const refusal = quotaRefusal(request, used, quotas) ?? null;
    const hostId = refusal ? null : bestFit(hosts, free, request.need);
    if (hostId) {
      free.set(hostId, sub(free.get(hostId)!, request.need));
      use.set(request.sprintCode, add(used, request.need));
      outcomes.push({ request, hostId });
    } else {
      outcomes.push({ request, refusal: refusal ?? poolRefusal(hosts, free, request) });
    }
  }
  return outcomes;
}

/** The request whose sprint holds the smallest dominant share; the earliest among equals. */
function leastServed(pending: PlacementRequest[], use: Map<string | null, Amounts>, total: Amounts): number {
  const share = (sprint: string | null) => Math.max(0, ...RESOURCES.filter((r) => total[r] > 0).map((r) => (use.get(sprint)?.[r] ?? 0) / total[r]));
  let best = 0;
  for (let i = 1; i < pending.length; i++) if (share(pending[i]!.sprintCode) < share(pending[best]!.sprintCode)) best = i;
  return best;
}

function bestFit(hosts: HostUse[], free: Map<string, Amounts>, need: Amounts): string | null {
  let best: { id: string; waste: number } | null = null;
  for (const h of hosts) {
    const f = free.get(h.id)!;
    if (!fits(need, f)) continue;
    const waste = RESOURCES.filter((r) => h.capacity[r] > 0).reduce((s, r) => s + (f[r] - need[r]) / h.capacity[r], 0) + (h.capacity.gpu > 0 && need.gpu === 0 ? 10 : 0);
    if (!best || waste < best.waste || (waste === best.waste && h.id < best.id)) best = { id: h.id, waste };
  }
  return best?.id ?? null;
}

function quotaRefusal(request: PlacementRequest, used: Amounts, quotas: Quotas): Refusal | undefined {
  const quota = quotaOf(quotas, request.sprintCode);
  if (!quota) return undefined;
  const short = RESOURCES.filter((r) => quota[r] !== undefined && used[r] + request.need[r] > quota[r]!).map((r) => ({ resource: r, needed: request.need[r], available: Math.max(0, quota[r]! - used[r]) }));
  if (short.length === 0) return undefined;
  const caps = list(short.map((s) => amount(s.resource, quota[s.resource]!)));
  const holds = list(short.map((s) => amount(s.resource, used[s.resource])));
  const needs = list(short.map((s) => amount(s.resource, s.needed)));
  return { kind: 'quota', hostId: null, short, message: `sprint ${request.sprintCode} may hold ${caps} at once (quota); it holds ${holds} and a ${request.agentType} needs ${needs}` };
}

/** Names the host that comes closest: what it has free (or, when nothing could ever fit, in all). */
function poolRefusal(hosts: HostUse[], free: Map<string, Amounts>, request: PlacementRequest): Refusal {
  const { need, agentType } = request;
  if (hosts.length === 0) {
    return { kind: 'no_hosts', hostId: null, short: [], message: 'the resource pool has no hosts: add them to config/resources.yaml or POST /api/v1/resources/hosts' };
  }
  const closest = (of: (h: HostUse) => Amounts) =>
    hosts
      .map((h) => ({ h, have: of(h), gap: RESOURCES.reduce((s, r) => s + Math.max(0, need[r] - of(h)[r]) / Math.max(need[r], 1), 0) }))
      .sort((a, b) => a.gap - b.gap || a.h.id.localeCompare(b.h.id))[0]!;
  const largest = closest((h) => h.capacity);
  const never = largest.gap > 0;
  const { h, have } = never ? largest : closest((x) => free.get(x.id)!);
  const short = RESOURCES.filter((r) => need[r] > have[r]).map((r) => ({ resource: r, needed: need[r], available: have[r] }));
  const needs = list(short.map((s) => amount(s.resource, s.needed)));
  const haves = short.length === 1 ? String(short[0]!.available) : list(short.map((s) => amount(s.resource, s.available)));
  return never
    ? { kind: 'never_fits', hostId: h.id, short, message: `a ${agentType} needs ${needs}, more than any host has: the largest (${h.id}) has ${haves} in all` }
    : { kind: 'exhausted', hostId: h.id, short, message: `a ${agentType} needs ${needs}, the best host (${h.id}) has ${haves} free` };
}
