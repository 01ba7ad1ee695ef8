import { ResourcePoolEvent, type AllocationPolicy } from '@orch/contracts';
import { ConflictError } from '@orch/errors';
import type { AggregateDefinition, EventMeta } from '@orch/event-store';
import { add, placeBatch, ZERO, type Amounts, type HostUse, type Outcome, type PlacementRequest, type Quotas } from './placement';

/** One pool for the whole system: one subject, so every allocation is decided on the same state. */
export const POOL_ID = 'default';

export interface Allocation extends PlacementRequest {
  hostId: string;
  /** Null between the reservation and the agent's registration. */
  agentId: string | null;
  allocatedAt: string;
}

export interface PoolState {
  /** Hosts added by API (the configured ones come with each command, from config/resources.yaml). */
  hosts: Record<string, Amounts>;
  allocations: Record<string, Allocation>;
  quotas: Quotas;
}

export type HostSource = 'config' | 'api' | 'removed';
export interface PoolHost extends HostUse {
  source: HostSource;
}

export type PoolCommand =
  | { type: 'RegisterHost'; hostId: string; capacity: Amounts; configHosts: Record<string, Amounts> }
  | { type: 'Allocate'; requests: PlacementRequest[]; policy: AllocationPolicy; configHosts: Record<string, Amounts> }
  | { type: 'Bind'; allocationId: string; agentId: string }
  | { type: 'Release'; allocationId: string; reason: string }
  | { type: 'SetQuotas'; quotas: Quotas };

export const initialState = (): PoolState => ({ hosts: {}, allocations: {}, quotas: { perSprint: null, sprints: {} } });

const without = <T>(record: Record<string, T>, key: string): Record<string, T> => {
  const { [key]: _, ...rest } = record;
  return rest;
};

export function evolve(state: PoolState, event: ResourcePoolEvent, meta: EventMeta): PoolState {
  switch (event.type) {
    case 'orchestration.resource.host_registered': {
      const { hostId, cpu, memoryMb, gpu } = event.data;
      return { ...state, hosts: { ...state.hosts, [hostId]: { cpu, memoryMb, gpu } } };
    }
    case 'orchestration.resource.allocated': {
      const { allocationId, hostId, agentType, priority, sprintCode, cpu, memoryMb, gpu } = event.data;
      const allocation: Allocation = { allocationId, hostId, agentType, priority, sprintCode, need: { cpu, memoryMb, gpu }, agentId: null, allocatedAt: meta.occurredAt };
      return { ...state, allocations: { ...state.allocations, [allocationId]: allocation } };
    }
    case 'orchestration.resource.bound': {
      const a = state.allocations[event.data.allocationId];
      return a ? { ...state, allocations: { ...state.allocations, [a.allocationId]: { ...a, agentId: event.data.agentId } } } : state;
    }
    case 'orchestration.resource.released':
      return { ...state, allocations: without(state.allocations, event.data.allocationId) };
    case 'orchestration.resource.quotas_set':
      return { ...state, quotas: { perSprint: event.data.perSprint, sprints: event.data.sprints } };
    default: {
      const never: never = event;
      return never;
    }
  }
}

/** Configured hosts win over API ones of the same name; a host gone from both keeps showing while agents hold slots on it. */
export function hostsOf(state: PoolState, configHosts: Record<string, Amounts>): PoolHost[] {
  const hosts = new Map<string, PoolHost>();
  for (const [id, capacity] of Object.entries(state.hosts)) hosts.set(id, { id, capacity, used: ZERO, source: 'api' });
  for (const [id, capacity] of Object.entries(configHosts)) hosts.set(id, { id, capacity, used: ZERO, source: 'config' });
  for (const a of Object.values(state.allocations)) {
    const h = hosts.get(a.hostId) ?? { id: a.hostId, capacity: ZERO, used: ZERO, source: 'removed' as const };
    hosts.set(a.hostId, { ...h, used: add(h.used, a.need) });
  }
  return [...hosts.values()].sort((a, b) => a.id.localeCompare(b.id));
}

export function sprintUseOf(state: PoolState): Map<string | null, Amounts> {
  const use = new Map<string | null, Amounts>();
  for (const a of Object.values(state.allocations)) use.set(a.sprintCode, add(use.get(a.sprintCode) ?? ZERO, a.need));
  return use;
}

/**
 * Places a batch: a request whose allocation exists already (a retried spawn) keeps it; the
 * others are placed on what is free now. Events for the placed ones; the outcome of each.
 */
export function allocate(command: Extract<PoolCommand, { type: 'Allocate' }>, state: PoolState): { events: ResourcePoolEvent[]; outcomes: Outcome[] } {
  const known = command.requests.filter((r) => state.allocations[r.allocationId]);
  // The same spawn twice in one batch (a retry that overtook the first try) takes one slot.
  const fresh = [...new Map(command.requests.filter((r) => !state.allocations[r.allocationId]).map((r) => [r.allocationId, r])).values()];
  const hosts = hostsOf(state, command.configHosts).filter((h) => h.source !== 'removed');
  const placed = placeBatch(hosts, sprintUseOf(state), state.quotas, fresh, command.policy);
  const events: ResourcePoolEvent[] = placed.flatMap((o) =>
    'hostId' in o
      ? [{ type: 'orchestration.resource.allocated' as const, data: { allocationId: o.request.allocationId, hostId: o.hostId, agentType: o.request.agentType, priority: o.request.priority, sprintCode: o.request.sprintCode, ...o.request.need } }]
      : [],
  );
  return { events, outcomes: [...known.map((r) => ({ request: r, hostId: state.allocations[r.allocationId]!.hostId })), ...placed] };
}

const sameAmounts = (a: Amounts, b: Amounts) => a.cpu === b.cpu && a.memoryMb === b.memoryMb && a.gpu === b.gpu;
const canonical = (q: Quotas) => JSON.stringify({ perSprint: q.perSprint, sprints: Object.fromEntries(Object.entries(q.sprints).sort(([a], [b]) => a.localeCompare(b))) });

export function decide(command: PoolCommand, state: PoolState): ResourcePoolEvent[] {
  switch (command.type) {
    case 'RegisterHost': {
      const { hostId, capacity } = command;
      if (Object.hasOwn(command.configHosts, hostId)) throw new ConflictError('RESOURCES.HOST_EXISTS', `Host ${hostId} is defined in config/resources.yaml; change it there`);
      const existing = state.hosts[hostId];
      if (existing && sameAmounts(existing, capacity)) return [];
      if (existing) throw new ConflictError('RESOURCES.HOST_EXISTS', `Host ${hostId} is registered already with ${existing.cpu} cpu, ${existing.memoryMb} MB memory and ${existing.gpu} gpu`);
      return [{ type: 'orchestration.resource.host_registered', data: { hostId, ...capacity } }];
    }
    case 'Allocate':
      return allocate(command, state).events;
    case 'Bind': {
      const a = state.allocations[command.allocationId];
      if (!a) throw new ConflictError('RESOURCES.ALLOCATION_GONE', `Allocation ${command.allocationId} was released before its agent started`);
      if (a.agentId === command.agentId) return [];
      if (a.agentId) throw new ConflictError('RESOURCES.ALLOCATION_TAKEN', `Allocation ${command.allocationId} belongs to agent ${a.agentId}`);
      return [{ type: 'orchestration.resource.bound', data: { allocationId: a.allocationId, agentId: command.agentId } }];
    }
    case 'Release': {
      const a = state.allocations[command.allocationId];
      return a ? [{ type: 'orchestration.resource.released', data: { allocationId: a.allocationId, hostId: a.hostId, agentId: a.agentId, reason: command.reason } }] : [];
    }
    case 'SetQuotas':
      return canonical(command.quotas) === canonical(state.quotas) ? [] : [{ type: 'orchestration.resource.quotas_set', data: command.quotas }];
    default: {
      const never: never = command;
      return never;
    }
  }
}

/** The allocations an agent holds (one per spawn). */
export function allocationsOf(state: PoolState, agentId: string): Allocation[] {
  return Object.values(state.allocations).filter((a) => a.agentId === agentId);
}

export const PoolAggregate: AggregateDefinition<PoolState, ResourcePoolEvent> = {
  type: 'resource-pool',
  initialState,
  evolve,
  eventSchema: ResourcePoolEvent,
};
