/** A task as the graph algorithms see it: an id, a duration and what it waits for. */
export interface GraphTask {
  id: string;
  estimateMinutes: number;
  dependsOn: readonly string[];
  requiredCapabilities?: readonly string[];
}

/**
 * A DAG indexed for linear-time algorithms: tasks by position, edges as index lists both ways.
 * Unknown dependencies and duplicate ids are left out here (validation reports them).
 */
export interface IndexedGraph {
  ids: string[];
  weight: number[];
  preds: number[][];
  succs: number[][];
}

export function indexGraph(tasks: readonly GraphTask[]): IndexedGraph {
  const index = new Map<string, number>();
  const ids: string[] = [];
  const weight: number[] = [];
  for (const t of tasks) {
    if (index.has(t.id)) continue;
    index.set(t.id, ids.length);
    ids.push(t.id);
    weight.push(t.estimateMinutes);
  }
  const preds: number[][] = ids.map(() => []);
  const succs: number[][] = ids.map(() => []);
  const seen = new Set<number>();
  for (const t of tasks) {
    const v = index.get(t.id)!;
    if (seen.has(v)) continue;
    seen.add(v);
    for (const d of new Set(t.dependsOn)) {
      const u = index.get(d);
      if (u === undefined || u === v) continue;
      preds[v]!.push(u);
      succs[u]!.push(v);
    }
  }
  return { ids, weight, preds, succs };
}

/** Kahn's algorithm; null when the graph has a cycle. Stable: ties keep input order. */
export function topologicalOrder(g: IndexedGraph): number[] | null {
  const n = g.ids.length;
  const indegree = g.preds.map((p) => p.length);
  const order: number[] = [];
  for (let v = 0; v < n; v++) if (indegree[v] === 0) order.push(v);
  for (let head = 0; head < order.length; head++) {
    for (const s of g.succs[order[head]!]!) if (--indegree[s]! === 0) order.push(s);
  }
  return order.length === n ? order : null;
}
