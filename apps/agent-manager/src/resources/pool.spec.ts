import type { ResourcePoolEvent } from '@orch/contracts';
import { ConflictError } from '@orch/errors';
import { deciderSpec } from '@orch/testing';
import { allocate, decide, evolve, hostsOf, initialState, type PoolCommand, type PoolState } from './pool';
import { resourcesView, quotaWarnings } from './usage';

const spec = deciderSpec<PoolState, ResourcePoolEvent, PoolCommand>({ initialState, evolve, decide });
const CONFIG = { local: { cpu: 4, memoryMb: 4096, gpu: 0 } };
const need = { cpu: 2, memoryMb: 1024, gpu: 0 };
const request = (allocationId: string, sprintCode: string | null = null) => ({ allocationId, agentType: 'coder', priority: 60, sprintCode, need });
const allocateCmd = (...ids: string[]): PoolCommand => ({ type: 'Allocate', requests: ids.map((id) => request(id)), policy: 'priority', configHosts: CONFIG });
const allocated = (allocationId: string, hostId = 'local', sprintCode: string | null = null): ResourcePoolEvent => ({
  type: 'orchestration.resource.allocated', data: { allocationId, hostId, agentType: 'coder', priority: 60, sprintCode, ...need },
});
const bound = (allocationId: string, agentId: string): ResourcePoolEvent => ({ type: 'orchestration.resource.bound', data: { allocationId, agentId } });
const released = (allocationId: string, agentId: string | null, reason = 'agent exited'): ResourcePoolEvent => ({ type: 'orchestration.resource.released', data: { allocationId, hostId: 'local', agentId, reason } });
const fold = (events: ResourcePoolEvent[]) => events.reduce((s, e, i) => evolve(s, e, { occurredAt: `2026-01-01T00:00:0${i}.000Z`, version: i + 1, actor: { kind: 'system', id: 'x' } }), initialState());

describe('the resource pool', () => {
  describe('when empty of allocations', () => {
    it('allocates on a configured host', () => spec.given([]).when(allocateCmd('a1')).then([allocated('a1')]));
    it('allocates until the host is full, then refuses (no event)', () => {
      spec.given([allocated('a1')]).when(allocateCmd('a2')).then([allocated('a2')]);
      spec.given([allocated('a1'), allocated('a2')]).when(allocateCmd('a3')).then([]);
      const { outcomes } = allocate(allocateCmd('a3') as Extract<PoolCommand, { type: 'Allocate' }>, fold([allocated('a1'), allocated('a2')]));
      expect(outcomes).toEqual([expect.objectContaining({ refusal: expect.objectContaining({ kind: 'exhausted', message: 'a coder needs 2 cpu, the best host (local) has 0 free' }) })]);
    });
    it('keeps the allocation of a retried spawn instead of taking a second slot', () => {
      spec.given([allocated('a1')]).when(allocateCmd('a1')).then([]);
      expect(allocate(allocateCmd('a1', 'a1') as Extract<PoolCommand, { type: 'Allocate' }>, fold([])).events).toHaveLength(1);
    });
  });

  describe('when an allocation is held', () => {
    it('binds it to its agent once, and to no other', () => {
      spec.given([allocated('a1')]).when({ type: 'Bind', allocationId: 'a1', agentId: 'coder-1' }).then([bound('a1', 'coder-1')]);
      spec.given([allocated('a1'), bound('a1', 'coder-1')]).when({ type: 'Bind', allocationId: 'a1', agentId: 'coder-1' }).then([]);
      spec.given([allocated('a1'), bound('a1', 'coder-1')]).when({ type: 'Bind', allocationId: 'a1', agentId: 'coder-2' }).thenThrows(ConflictError, 'RESOURCES.ALLOCATION_TAKEN');
      spec.given([]).when({ type: 'Bind', allocationId: 'a1', agentId: 'coder-1' }).thenThrows(ConflictError, 'RESOURCES.ALLOCATION_GONE');
    });
    it('releases it once, and the freed slot fits the next spawn', () => {
      spec.given([allocated('a1'), bound('a1', 'coder-1')]).when({ type: 'Release', allocationId: 'a1', reason: 'agent exited' }).then([released('a1', 'coder-1')]);
      spec.given([allocated('a1'), released('a1', null)]).when({ type: 'Release', allocationId: 'a1', reason: 'again' }).then([]);
      spec.given([allocated('a1'), allocated('a2'), released('a1', null)]).when(allocateCmd('a3')).then([allocated('a3')]);
    });
  });

  describe('hosts', () => {
    const registered: ResourcePoolEvent = { type: 'orchestration.resource.host_registered', data: { hostId: 'gpu-1', cpu: 8, memoryMb: 8192, gpu: 1 } };
    const register = (hostId: string, gpu = 1): PoolCommand => ({ type: 'RegisterHost', hostId, capacity: { cpu: 8, memoryMb: 8192, gpu }, configHosts: CONFIG });
    it('registers a host by API once; the same again is a retry, a different one a conflict', () => {
      spec.given([]).when(register('gpu-1')).then([registered]);
      spec.given([registered]).when(register('gpu-1')).then([]);
      spec.given([registered]).when(register('gpu-1', 2)).thenThrows(ConflictError, 'RESOURCES.HOST_EXISTS');
    });
    it('refuses to shadow a configured host', () => {
      spec.given([]).when(register('local')).thenThrows(ConflictError, 'RESOURCES.HOST_EXISTS');
    });
    it('places GPU work on an API host and shows a host gone from the config while agents hold it', () => {
      const gpuNeed = { allocationId: 'g1', agentType: 'trainer', priority: 1, sprintCode: null, need: { cpu: 1, memoryMb: 1, gpu: 1 } };
      const events = allocate({ type: 'Allocate', requests: [gpuNeed], policy: 'priority', configHosts: CONFIG }, fold([registered])).events;
      expect(events).toEqual([expect.objectContaining({ data: expect.objectContaining({ hostId: 'gpu-1' }) })]);
      expect(hostsOf(fold([allocated('a1', 'old-host')]), CONFIG).map((h) => [h.id, h.source, h.used.cpu])).toEqual([['local', 'config', 0], ['old-host', 'removed', 2]]);
    });
  });

  describe('quotas', () => {
    const quotas = { perSprint: { cpu: 2 }, sprints: { 'SPR-2': { cpu: 4 } } };
    it('are set, and setting the same ones again writes nothing', () => {
      spec.given([]).when({ type: 'SetQuotas', quotas }).then([{ type: 'orchestration.resource.quotas_set', data: quotas }]);
      spec.given([{ type: 'orchestration.resource.quotas_set', data: quotas }]).when({ type: 'SetQuotas', quotas: { sprints: { 'SPR-2': { cpu: 4 } }, perSprint: { cpu: 2 } } }).then([]);
    });
    it('refuse a spawn over the sprint quota, and warn about sprints already over a lowered one', () => {
      const state = fold([allocated('a1', 'local', 'SPR-1'), { type: 'orchestration.resource.quotas_set', data: quotas }]);
      const { outcomes } = allocate({ type: 'Allocate', requests: [request('a2', 'SPR-1')], policy: 'priority', configHosts: CONFIG }, state);
      expect(outcomes[0]).toMatchObject({ refusal: { kind: 'quota' } });
      expect(quotaWarnings(fold([allocated('a1', 'local', 'SPR-1'), allocated('a2', 'local', 'SPR-1'), { type: 'orchestration.resource.quotas_set', data: quotas }]))).toEqual([
        'sprint SPR-1 holds 4 cpu, over its quota of 2 cpu; its running agents keep their slots, new spawns are refused until it is under',
      ]);
    });
  });

  it('shows capacity, used and free per host, per sprint and in total', () => {
    const view = resourcesView(fold([allocated('a1', 'local', 'SPR-1'), bound('a1', 'coder-1')]), 2, { source: 'x', policy: 'priority', hosts: CONFIG });
    expect(view.hosts).toEqual([{ id: 'local', source: 'config', capacity: CONFIG.local, used: need, free: { cpu: 2, memoryMb: 3072, gpu: 0 }, allocations: 1 }]);
    expect(view.total.free).toEqual({ cpu: 2, memoryMb: 3072, gpu: 0 });
    expect(view.sprints).toEqual([{ sprintCode: 'SPR-1', used: need, quota: null, allocations: 1 }]);
    expect(view.allocations).toEqual([expect.objectContaining({ allocationId: 'a1', agentId: 'coder-1', hostId: 'local', allocatedAt: '2026-01-01T00:00:00.000Z' })]);
  });
});
