import type { AllocationView, ResourcesView } from '@orch/contracts';
import { add, amount, quotaOf, RESOURCES, sub, ZERO, type Amounts } from './placement';
import { hostsOf, sprintUseOf, type Allocation, type PoolState } from './pool';
import type { ResourcesConfig } from './resources-config';

const clampFree = (capacity: Amounts, used: Amounts): Amounts => {
  const f = sub(capacity, used);
  return { cpu: Math.max(0, f.cpu), memoryMb: Math.max(0, f.memoryMb), gpu: Math.max(0, f.gpu) };
};

export function allocationView(a: Allocation): AllocationView {
  return { allocationId: a.allocationId, hostId: a.hostId, agentId: a.agentId, agentType: a.agentType, sprintCode: a.sprintCode, priority: a.priority, need: a.need, allocatedAt: a.allocatedAt };
}

/** `GET /resources`: hosts with capacity, used and free; the totals; per sprint; the live allocations. */
export function resourcesView(state: PoolState, version: number, config: ResourcesConfig): ResourcesView {
  const hosts = hostsOf(state, config.hosts);
  const capacity = hosts.reduce((acc, h) => add(acc, h.capacity), ZERO);
  const used = hosts.reduce((acc, h) => add(acc, h.used), ZERO);
  const counts = new Map<string, number>();
  for (const a of Object.values(state.allocations)) counts.set(a.hostId, (counts.get(a.hostId) ?? 0) + 1);
  const sprintCounts = new Map<string | null, number>();
  for (const a of Object.values(state.allocations)) sprintCounts.set(a.sprintCode, (sprintCounts.get(a.sprintCode) ?? 0) + 1);
  // Every sprint that holds something or has a quota of its own.
  const sprintUse = sprintUseOf(state);
  for (const code of Object.keys(state.quotas.sprints)) if (!sprintUse.has(code)) sprintUse.set(code, ZERO);
  const sprints = [...sprintUse.entries()]
    .sort(([a], [b]) => (a ?? '').localeCompare(b ?? ''))
    .map(([sprintCode, use]) => ({ sprintCode, used: use, quota: quotaOf(state.quotas, sprintCode), allocations: sprintCounts.get(sprintCode) ?? 0 }));
  return {
    policy: config.policy,
    hosts: hosts.map((h) => ({ id: h.id, source: h.source, capacity: h.capacity, used: h.used, free: clampFree(h.capacity, h.used), allocations: counts.get(h.id) ?? 0 })),
    total: { capacity, used, free: hosts.reduce((acc, h) => add(acc, clampFree(h.capacity, h.used)), ZERO) },
    sprints,
    quotas: state.quotas,
    allocations: Object.values(state.allocations).sort((a, b) => a.allocatedAt.localeCompare(b.allocatedAt) || a.allocationId.localeCompare(b.allocationId)).map(allocationView),
    version,
  };
}

/** Sprints already over a quota that was just lowered: their agents keep running, new spawns wait. */
export function quotaWarnings(state: PoolState): string[] {
  const warnings: string[] = [];
  for (const [code, use] of sprintUseOf(state)) {
    const quota = quotaOf(state.quotas, code);
    if (!quota || code === null) continue;
    const over = RESOURCES.filter((r) => quota[r] !== undefined && use[r] > quota[r]!);
    if (over.length > 0) warnings.push(`sprint ${code} holds ${over.map((r) => amount(r, use[r])).join(', ')}, over its quota of ${over.map((r) => amount(r, quota[r]!)).join(', ')}; its running agents keep their slots, new spawns are refused until it is under`);
  }
  return warnings;
}
