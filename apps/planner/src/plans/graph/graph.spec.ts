import fc from 'fast-check';
import { mulberry32 } from '@orch/testing';
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


/**
 * A big, dense DAG: hundreds to a few thousand tasks, each waiting for up to `maxDeps` earlier
 * ones, mostly near it (long chains) and sometimes far back (wide joins); ids shuffled.
 */
const bigDagArb = fc
  .record({ n: fc.integer({ min: 200, max: 3_000 }), maxDeps: fc.integer({ min: 1, max: 16 }), seed: fc.integer() })
  .map(({ n, maxDeps, seed }): GraphTask[] => {
    const rnd = mulberry32(seed);
    const tasks = Array.from({ length: n }, (_, i) => {
      const deps = new Set<string>();
      const k = i === 0 ? 0 : Math.floor(rnd() * (maxDeps + 1));
      for (let j = 0; j < k; j++) deps.add(`t${rnd() < 0.7 ? Math.max(0, i - 1 - Math.floor(rnd() * 10)) : Math.floor(rnd() * i)}`);
      return { id: `t${i}`, estimateMinutes: Math.floor(rnd() * 121), dependsOn: [...deps].filter((d) => d !== `t${i}`) };
    });
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [tasks[i], tasks[j]] = [tasks[j]!, tasks[i]!];
    }
    return tasks;
  });

/** Any directed graph without self-loops: each task waits for about `degree` random others. Often cyclic, sometimes not. */
const anyGraphArb = fc
  .record({ n: fc.integer({ min: 2, max: 400 }), degree: fc.double({ min: 0.05, max: 3, noNaN: true }), seed: fc.integer() })
  .map(({ n, degree, seed }): GraphTask[] => {
    const rnd = mulberry32(seed);
    return Array.from({ length: n }, (_, i) => {
      const deps = new Set<string>();
      const k = Math.floor(rnd() * 2 * degree + 0.5);
      for (let j = 0; j < k; j++) {
        const d = Math.floor(rnd() * n);
        if (d !== i) deps.add(`t${d}`);
      }
      return { id: `t${i}`, estimateMinutes: 1, dependsOn: [...deps] };
    });
  });

/** A big DAG with a few extra edges in random directions: a back edge may close a cycle, or may not. */
const dagPlusEdgesArb = fc.tuple(bigDagArb, fc.integer({ min: 0, max: 6 }), fc.integer()).map(([tasks, extra, seed]) => {
  const rnd = mulberry32(seed);
  const out = tasks.map((t) => ({ ...t, dependsOn: [...t.dependsOn] }));
  for (let k = 0; k < extra; k++) {
    const from = out[Math.floor(rnd() * out.length)]!;
    const to = out[Math.floor(rnd() * out.length)]!;
    if (from !== to && !from.dependsOn.includes(to.id)) from.dependsOn.push(to.id);
  }
  return out;
});

/**
 * A big DAG whose first task is made to wait for its last: any cycle runs through that one edge,
 * so it is as long as the chain from the last task back to the first (often hundreds of tasks).
 */
const closedChainArb = bigDagArb.map((tasks) => {
  const last = `t${tasks.length - 1}`;
  return tasks.map((t) => (t.id === 't0' ? { ...t, dependsOn: [last] } : t));
});

/** The reference: Kahn's algorithm written out independently, on the id lists themselves. */
function isCyclicReference(tasks: GraphTask[]): boolean {
  const waiting = new Map(tasks.map((t) => [t.id, new Set(t.dependsOn)]));
  const dependents = new Map<string, string[]>();
  for (const t of tasks) for (const d of new Set(t.dependsOn)) dependents.set(d, [...(dependents.get(d) ?? []), t.id]);
  const free = tasks.filter((t) => waiting.get(t.id)!.size === 0).map((t) => t.id);
  let freed = 0;
  while (free.length) {
    const id = free.pop()!;
    freed++;
    for (const s of dependents.get(id) ?? []) {
      const w = waiting.get(s)!;
      w.delete(id);
      if (w.size === 0) free.push(s);
    }
  }
  return freed < tasks.length;
}

/** A plain check: per-edge `expect`s would cost seconds on thousands of edges. */
function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(what);
}

/** A reported cycle is real: it closes, visits no task twice, and each task waits for the next. */
function expectRealCycle(cycle: string[], deps: Map<string, readonly string[]>): void {
  const named = cycle.join(' → ');
  check(cycle.length >= 3, `${named}: too short to be a cycle (self-loops are their own error)`);
  check(cycle[0] === cycle[cycle.length - 1], `${named}: does not close`);
  check(new Set(cycle.slice(1)).size === cycle.length - 1, `${named}: visits a task twice`);
  for (let i = 0; i + 1 < cycle.length; i++) check(deps.get(cycle[i]!)!.includes(cycle[i + 1]!), `${named}: ${cycle[i]} does not depend on ${cycle[i + 1]}`);
}

/** Cycle detection agrees with the reference: real cycles when it says cyclic, none when it does not. */
function agreesWithReference(tasks: GraphTask[]): void {
  const deps = new Map(tasks.map((t) => [t.id, t.dependsOn]));
  const g = indexGraph(tasks);
  const cycles = findCycles(g);
  const issues = validateDag(tasks);
  if (isCyclicReference(tasks)) {
    expect(cycles.length).toBeGreaterThan(0);
    for (const cycle of cycles) expectRealCycle(cycle, deps);
    expect(issues.filter((e) => e.code === 'DAG.CYCLE').map((e) => e.taskIds)).toEqual(cycles);
    expect(topologicalOrder(g)).toBeNull();
  } else {
    expect(cycles).toEqual([]);
    expect(issues).toEqual([]);
    const order = topologicalOrder(g)!;
    const position = new Map(order.map((v, i) => [g.ids[v]!, i]));
    for (const t of tasks) for (const d of t.dependsOn) check(position.get(d)! < position.get(t.id)!, `${d} is ordered after ${t.id}, which depends on it`);
  }
}

/**
 * The longest path by memoised depth-first search over `dependsOn` (an explicit stack, so a
 * 3,000-task chain is fine): the reference the DP must match.
 */
function longestPathReference(tasks: GraphTask[]): number {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const memo = new Map<string, number>();
  for (const root of tasks) {
    const stack = [root.id];
    while (stack.length) {
      const id = stack[stack.length - 1]!;
      if (memo.has(id)) {
        stack.pop();
        continue;
      }
      const t = byId.get(id)!;
      const open = t.dependsOn.filter((d) => !memo.has(d));
      if (open.length) stack.push(...open);
      else {
        memo.set(id, t.estimateMinutes + Math.max(0, ...t.dependsOn.map((d) => memo.get(d)!)));
        stack.pop();
      }
    }
  }
  return Math.max(...memo.values());
}

/** Layers, critical path and schedule of a DAG, checked against the references (plain checks: big graphs). */
function layersHold(tasks: GraphTask[]): void {
  const g = indexGraph(tasks);
  const layers = layersOf(g, topologicalOrder(g))!;
  const layerOf = new Map(layers.flatMap((ids, l) => ids.map((id) => [id, l] as const)));
  expect(layerOf.size).toBe(tasks.length);
  expect(layers.flat().length).toBe(tasks.length);
  for (const t of tasks) for (const d of t.dependsOn) check(layerOf.get(d)! < layerOf.get(t.id)!, `${t.id} is not in a layer after its dependency ${d}`);
}

function criticalPathHolds(tasks: GraphTask[]): void {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const cp = criticalPath(indexGraph(tasks))!;
  expect(cp.minutes).toBe(longestPathReference(tasks));
  expect(cp.path.reduce((sum, id) => sum + byId.get(id)!.estimateMinutes, 0)).toBe(cp.minutes);
  for (let i = 1; i < cp.path.length; i++) check(byId.get(cp.path[i]!)!.dependsOn.includes(cp.path[i - 1]!), `${cp.path[i]} does not depend on ${cp.path[i - 1]}`);
  expect(Math.min(...cp.slack)).toBeGreaterThanOrEqual(0);
}

function scheduleHolds(tasks: GraphTask[], agents: number): void {
  const g = indexGraph(tasks);
  const cp = criticalPath(g)!;
  const total = tasks.reduce((s, t) => s + t.estimateMinutes, 0);
  const wall = wallClockMinutes(g, cp.tail, agents);
  expect(wall).toBeGreaterThanOrEqual(Math.max(cp.minutes, total / agents) - 1e-9);
  expect(wall).toBeLessThanOrEqual(total);
  expect(wallClockMinutes(g, cp.tail, 1)).toBe(total);
  expect(wallClockMinutes(g, cp.tail, tasks.length)).toBe(cp.minutes);
}

describe('graph algorithms on random DAGs (fast-check)', () => {
  describe.each([
    ['small DAGs (≤ 40 tasks)', dagArb, 300],
    ['big dense DAGs (200–3,000 tasks, up to 16 dependencies each)', bigDagArb, 30],
  ] as const)('on %s', (_what, arb, numRuns) => {
    it('finds no cycle and no error', () => {
      fc.assert(fc.property(arb, (tasks) => validateDag(tasks).length === 0), { numRuns });
    });

    it('puts every task in exactly one layer, after all of its dependencies', () => {
      fc.assert(fc.property(arb, layersHold), { numRuns });
    });

    it('gives the critical path the length of the longest path by dynamic programming, along real edges', () => {
      fc.assert(fc.property(arb, criticalPathHolds), { numRuns });
    });

    it('schedules between the critical path and the total effort: one agent is the total, enough agents the critical path', () => {
      fc.assert(fc.property(arb, fc.integer({ min: 1, max: 64 }), scheduleHolds), { numRuns });
    });
  });
});

describe('cycle detection against an independent reference (Kahn), on graphs made four ways', () => {
  it('finds a real cycle in every small DAG with a planted ring', () => {
    fc.assert(
      fc.property(cyclicArb, (tasks) => {
        expect(isCyclicReference(tasks)).toBe(true);
        agreesWithReference(tasks);
      }),
      { numRuns: 300 },
    );
  });

  it('agrees on random directed graphs, cyclic or not, of up to 400 tasks', () => {
    const seen = { cyclic: 0, acyclic: 0 };
    fc.assert(
      fc.property(anyGraphArb, (tasks) => {
        seen[isCyclicReference(tasks) ? 'cyclic' : 'acyclic']++;
        agreesWithReference(tasks);
      }),
      { numRuns: 400 },
    );
    // Both answers were exercised, not just one.
    expect(seen.cyclic).toBeGreaterThan(20);
    expect(seen.acyclic).toBeGreaterThan(20);
  });

  it('agrees on big DAGs given a few extra edges in random directions, which may or may not close a cycle', () => {
    const seen = { cyclic: 0, acyclic: 0 };
    fc.assert(
      fc.property(dagPlusEdgesArb, (tasks) => {
        seen[isCyclicReference(tasks) ? 'cyclic' : 'acyclic']++;
        agreesWithReference(tasks);
      }),
      { numRuns: 40 },
    );
    expect(seen.cyclic).toBeGreaterThan(0);
    expect(seen.acyclic).toBeGreaterThan(0);
  });

  it('finds the one long cycle of a big DAG whose first task waits for its last', () => {
    fc.assert(fc.property(closedChainArb, agreesWithReference), { numRuns: 30 });
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
