import fc from 'fast-check';
import { analyseDag } from './analyse';
import { criticalPath } from './critical-path';
import { indexGraph, topologicalOrder, type GraphTask } from './dag';
import { layersOf } from './layers';
import { wallClockMinutes } from './schedule';
import { findCycles, validateDag } from './validate';

/** A random DAG: task i may depend only on tasks created before it; ids are then shuffled in order. */
const dagArb = fc.integer({ min: 1, max: 40 }).chain((n) =>
  fc
    .tuple(
      fc.array(fc.integer({ min: 0, max: 120 }), { minLength: n, maxLength: n }),
      fc.array(fc.array(fc.nat(), { maxLength: 4 }), { minLength: n, maxLength: n }),
      fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
    )
    .map(([weights, picks, perm]): GraphTask[] => {
      const tasks = weights.map((w, i) => ({
        id: `t${i}`,
        estimateMinutes: w,
        dependsOn: i === 0 ? [] : [...new Set(picks[i]!.map((p) => `t${p % i}`))],
      }));
      return perm.map((i) => tasks[i]!);
    }),
);

/** A DAG plus a ring through k ≥ 2 of its tasks, so the graph certainly has a cycle. */
const cyclicArb = dagArb.filter((t) => t.length >= 2).chain((tasks) =>
  fc.shuffledSubarray(tasks.map((t) => t.id), { minLength: 2 }).map((ring) => {
    const extra = new Map(ring.map((id, i) => [id, ring[(i + 1) % ring.length]!]));
    return tasks.map((t) => (extra.has(t.id) ? { ...t, dependsOn: [...new Set([...t.dependsOn, extra.get(t.id)!])] } : t));
  }),
);

/** The longest path by plain memoised recursion over `dependsOn`: the reference the DP must match. */
function longestPathReference(tasks: GraphTask[]): number {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const memo = new Map<string, number>();
  const finish = (id: string): number => {
    if (memo.has(id)) return memo.get(id)!;
    const t = byId.get(id)!;
    const value = t.estimateMinutes + Math.max(0, ...t.dependsOn.map(finish));
    memo.set(id, value);
    return value;
  };
  return Math.max(...tasks.map((t) => finish(t.id)));
}

describe('graph algorithms on random DAGs (fast-check)', () => {
  it('finds no cycle and no error in a DAG', () => {
    fc.assert(fc.property(dagArb, (tasks) => validateDag(tasks).length === 0));
  });

  it('finds a real cycle in every graph that has one', () => {
    fc.assert(
      fc.property(cyclicArb, (tasks) => {
        const deps = new Map(tasks.map((t) => [t.id, t.dependsOn]));
        const cycles = findCycles(indexGraph(tasks));
        expect(cycles.length).toBeGreaterThan(0);
        for (const cycle of cycles) {
          expect(cycle[0]).toBe(cycle[cycle.length - 1]);
          expect(new Set(cycle.slice(1)).size).toBe(cycle.length - 1);
          for (let i = 0; i + 1 < cycle.length; i++) expect(deps.get(cycle[i]!)).toContain(cycle[i + 1]);
        }
        expect(validateDag(tasks).some((e) => e.code === 'DAG.CYCLE')).toBe(true);
      }),
    );
  });

  it('puts every task in exactly one layer, after all of its dependencies', () => {
    fc.assert(
      fc.property(dagArb, (tasks) => {
        const g = indexGraph(tasks);
        const layers = layersOf(g, topologicalOrder(g))!;
        const layerOf = new Map(layers.flatMap((ids, l) => ids.map((id) => [id, l] as const)));
        expect(layerOf.size).toBe(tasks.length);
        expect(layers.flat().length).toBe(tasks.length);
        for (const t of tasks) for (const d of t.dependsOn) expect(layerOf.get(d)!).toBeLessThan(layerOf.get(t.id)!);
      }),
    );
  });

  it('gives the critical path the length of the longest path by dynamic programming, along real edges', () => {
    fc.assert(
      fc.property(dagArb, (tasks) => {
        const byId = new Map(tasks.map((t) => [t.id, t]));
        const cp = criticalPath(indexGraph(tasks))!;
        expect(cp.minutes).toBe(longestPathReference(tasks));
        expect(cp.path.reduce((sum, id) => sum + byId.get(id)!.estimateMinutes, 0)).toBe(cp.minutes);
        for (let i = 1; i < cp.path.length; i++) expect(byId.get(cp.path[i]!)!.dependsOn).toContain(cp.path[i - 1]);
        expect(Math.min(...cp.slack)).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('schedules between the critical path and the total effort: one agent is the total, enough agents the critical path', () => {
    fc.assert(
      fc.property(dagArb, fc.integer({ min: 1, max: 8 }), (tasks, agents) => {
        const g = indexGraph(tasks);
        const cp = criticalPath(g)!;
        const total = tasks.reduce((s, t) => s + t.estimateMinutes, 0);
        const wall = wallClockMinutes(g, cp.tail, agents);
        expect(wall).toBeGreaterThanOrEqual(Math.max(cp.minutes, total / agents) - 1e-9);
        expect(wall).toBeLessThanOrEqual(total);
        expect(wallClockMinutes(g, cp.tail, 1)).toBe(total);
        expect(wallClockMinutes(g, cp.tail, tasks.length)).toBe(cp.minutes);
      }),
    );
  });
});

describe('validating a task list', () => {
  const t = (id: string, dependsOn: string[] = [], estimateMinutes = 10): GraphTask => ({ id, dependsOn, estimateMinutes });

  it('names the cycle in the order tasks wait for each other', () => {
    const issues = validateDag([t('a', ['c']), t('b', ['a']), t('c', ['b']), t('d')]);
    expect(issues).toEqual([{ code: 'DAG.CYCLE', message: 'Dependency cycle: a → c → b → a', taskIds: ['a', 'c', 'b', 'a'] }]);
  });

  it('names duplicate ids, unknown dependencies and self-dependencies', () => {
    const codes = validateDag([t('a'), t('a'), t('b', ['ghost']), t('c', ['c'])]).map((i) => `${i.code} ${i.taskIds.join(',')}`);
    expect(codes).toEqual(['DAG.DUPLICATE_ID a', 'DAG.UNKNOWN_DEPENDENCY b,ghost', 'DAG.SELF_DEPENDENCY c']);
  });

  it('handles a 10,000-task chain and a 10,000-task ring without recursion limits', () => {
    const chain = Array.from({ length: 10_000 }, (_, i) => t(`t${i}`, i ? [`t${i - 1}`] : [], 1));
    const ok = analyseDag(chain, { agents: 4, costPerHour: 60, availableCapabilities: null });
    expect(ok).toMatchObject({ valid: true, criticalPathMinutes: 10_000, wallClockMinutes: 10_000, totalEffortMinutes: 10_000, estimatedCost: 10_000 });
    const ring = chain.map((task, i) => (i === 0 ? { ...task, dependsOn: ['t9999'] } : task));
    const bad = analyseDag(ring, { agents: 4, costPerHour: 60, availableCapabilities: null });
    expect(bad.valid).toBe(false);
    expect(bad.errors[0]!.taskIds).toHaveLength(10_001);
  });

  it('warns, without failing, about capabilities no registered agent has', () => {
    const tasks = [{ ...t('a'), requiredCapabilities: ['code_generation'] }, { ...t('b', ['a']), requiredCapabilities: ['quantum_tuning'] }];
    const analysis = analyseDag(tasks, { agents: 1, costPerHour: 0, availableCapabilities: new Set(['code_generation']) });
    expect(analysis.valid).toBe(true);
    expect(analysis.warnings).toEqual([expect.objectContaining({ code: 'PLAN.CAPABILITY_UNAVAILABLE', taskIds: ['b'] })]);
  });

  it('lays out a diamond: layers, critical path, slack, wall clock with two agents', () => {
    const a = analyseDag([t('a', [], 10), t('b', ['a'], 30), t('c', ['a'], 5), t('d', ['b', 'c'], 10)], { agents: 2, costPerHour: 30, availableCapabilities: null });
    expect(a).toMatchObject({ layers: [['a'], ['b', 'c'], ['d']], criticalPath: ['a', 'b', 'd'], criticalPathMinutes: 50, totalEffortMinutes: 55, wallClockMinutes: 50, estimatedCost: 27.5 });
    expect(a.slackMinutes).toEqual({ a: 0, b: 0, c: 25, d: 0 });
  });
});
