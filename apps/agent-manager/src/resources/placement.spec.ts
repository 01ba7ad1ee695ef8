import { placeBatch, ZERO, type Amounts, type HostUse, type Outcome, type PlacementRequest, type Quotas } from './placement';

const amounts = (cpu: number, memoryMb = 0, gpu = 0): Amounts => ({ cpu, memoryMb, gpu });
const host = (id: string, capacity: Amounts, used: Amounts = ZERO): HostUse => ({ id, capacity, used });
let n = 0;
const req = (need: Amounts, extra: Partial<PlacementRequest> = {}): PlacementRequest => ({ allocationId: `a${++n}`, agentType: 'coder', priority: 50, sprintCode: null, need, ...extra });
const NO_QUOTAS: Quotas = { perSprint: null, sprints: {} };
const where = (outcomes: Outcome[]) => outcomes.map((o) => ('hostId' in o ? o.hostId : o.refusal.kind));

describe('placing spawns on the pool', () => {
  it('puts a spawn on the fitting host with the least left over, and keeps GPU hosts for GPU work', () => {
    const hosts = [host('big', amounts(32, 65536)), host('small', amounts(4, 8192)), host('gpu', amounts(8, 16384, 2))];
    expect(where(placeBatch(hosts, new Map(), NO_QUOTAS, [req(amounts(2, 2048))], 'priority'))).toEqual(['small']);
    expect(where(placeBatch(hosts, new Map(), NO_QUOTAS, [req(amounts(2, 2048, 1))], 'priority'))).toEqual(['gpu']);
    expect(where(placeBatch(hosts, new Map(), NO_QUOTAS, [req(amounts(16, 2048))], 'priority'))).toEqual(['big']);
  });

  it('never places more than a host has free, counting the batch itself', () => {
    const outcomes = placeBatch([host('h', amounts(4, 4096), amounts(1, 0))], new Map(), NO_QUOTAS, [req(amounts(2)), req(amounts(2)), req(amounts(1))], 'priority');
    expect(where(outcomes)).toEqual(['h', 'exhausted', 'h']);
  });

  it('refuses with what is short and what the best host has free', () => {
    const hosts = [host('a', amounts(8, 8192), amounts(6, 1024)), host('b', amounts(8, 8192), amounts(7, 0))];
    const [o] = placeBatch(hosts, new Map(), NO_QUOTAS, [req(amounts(4, 1024))], 'priority');
    expect(o).toMatchObject({ refusal: { kind: 'exhausted', hostId: 'a', short: [{ resource: 'cpu', needed: 4, available: 2 }], message: 'a coder needs 4 cpu, the best host (a) has 2 free' } });
    const [two] = placeBatch([host('a', amounts(8, 4096), amounts(6, 3072))], new Map(), NO_QUOTAS, [req(amounts(4, 2048))], 'priority');
    expect(two).toMatchObject({ refusal: { message: 'a coder needs 4 cpu and 2048 MB memory, the best host (a) has 2 cpu and 1024 MB memory free' } });
  });

  it('tells a spawn that can never fit from one that must wait, and an empty pool from both', () => {
    const [never] = placeBatch([host('a', amounts(8, 8192)), host('b', amounts(16, 1024))], new Map(), NO_QUOTAS, [req(amounts(4, 0, 1))], 'priority');
    expect(never).toMatchObject({ refusal: { kind: 'never_fits', hostId: 'a', message: 'a coder needs 1 gpu, more than any host has: the largest (a) has 0 in all' } });
    const [none] = placeBatch([], new Map(), NO_QUOTAS, [req(amounts(1))], 'priority');
    expect(none).toMatchObject({ refusal: { kind: 'no_hosts' } });
  });

  it('serves higher-priority types first under the priority policy', () => {
    const low = req(amounts(2), { priority: 10, agentType: 'researcher' });
    const high = req(amounts(2), { priority: 90 });
    const outcomes = placeBatch([host('h', amounts(2))], new Map(), NO_QUOTAS, [low, high], 'priority');
    expect(outcomes.map((o) => [o.request.allocationId, 'hostId' in o])).toEqual([[high.allocationId, true], [low.allocationId, false]]);
  });

  it('alternates between sprints under fair_share, whoever asked first', () => {
    const a = [1, 2, 3].map(() => req(amounts(1), { sprintCode: 'SPR-A' }));
    const b = [1, 2].map(() => req(amounts(1), { sprintCode: 'SPR-B' }));
    const placed = placeBatch([host('h', amounts(4))], new Map(), NO_QUOTAS, [...a, ...b], 'fair_share').filter((o) => 'hostId' in o);
    expect(placed.map((o) => o.request.sprintCode)).toEqual(['SPR-A', 'SPR-B', 'SPR-A', 'SPR-B']);
    // A sprint that already holds most of the pool waits behind one that holds nothing.
    const busy = new Map([['SPR-A', amounts(3)]]);
    const [first] = placeBatch([host('h', amounts(8))], busy, NO_QUOTAS, [req(amounts(1), { sprintCode: 'SPR-A' }), req(amounts(1), { sprintCode: 'SPR-B' })], 'fair_share');
    expect(first!.request.sprintCode).toBe('SPR-B');
  });

  it('holds each sprint to its quota (its own, else the per-sprint one); spawns without a sprint are not capped', () => {
    const quotas: Quotas = { perSprint: { cpu: 2 }, sprints: { 'SPR-BIG': { cpu: 6, gpu: 0 } } };
    const use = new Map([['SPR-A', amounts(2)]]);
    const pool = [host('h', amounts(64, 65536, 4))];
    const [a] = placeBatch(pool, use, quotas, [req(amounts(1), { sprintCode: 'SPR-A' })], 'priority');
    expect(a).toMatchObject({ refusal: { kind: 'quota', short: [{ resource: 'cpu', needed: 1, available: 0 }], message: 'sprint SPR-A may hold 2 cpu at once (quota); it holds 2 cpu and a coder needs 1 cpu' } });
    expect(where(placeBatch(pool, use, quotas, [req(amounts(4), { sprintCode: 'SPR-BIG' }), req(amounts(4), { sprintCode: 'SPR-BIG' })], 'priority'))).toEqual(['h', 'quota']);
    expect(where(placeBatch(pool, use, quotas, [req(amounts(1, 0, 1), { sprintCode: 'SPR-BIG' })], 'priority'))).toEqual(['quota']);
    expect(where(placeBatch(pool, use, quotas, [req(amounts(40))], 'priority'))).toEqual(['h']);
  });
});
