import { topologicalOrder, type IndexedGraph } from './dag';

export interface CriticalPath {
  /** Ids along the longest chain of estimates, first task first. */
  path: string[];
  minutes: number;
  /** Per task index: the earliest it can start, and how long the chain from it to the end is (itself included). */
  earliestStart: number[];
  tail: number[];
  /** Per task index: minutes it may slip without delaying the end. */
  slack: number[];
}

/**
 * Longest path by dynamic programming over a topological order: earliest finish forwards,
 * the remaining chain ("tail") backwards. Null when the graph has a cycle.
 */
export function criticalPath(g: IndexedGraph, order = topologicalOrder(g)): CriticalPath | null {
  if (!order) return null;
  const n = g.ids.length;
  const finish = new Array<number>(n).fill(0);
  const start = new Array<number>(n).fill(0);
  const via = new Int32Array(n).fill(-1);
  for (const v of order) {
    let best = 0;
    for (const p of g.preds[v]!) {
      if (via[v] === -1 || finish[p]! > best) {
        best = finish[p]!;
        via[v] = p;
      }
    }
    start[v] = best;
    finish[v] = best + g.weight[v]!;
  }
  const tail = new Array<number>(n).fill(0);
  for (let i = order.length - 1; i >= 0; i--) {
    const v = order[i]!;
    let best = 0;
    for (const s of g.succs[v]!) best = Math.max(best, tail[s]!);
    tail[v] = best + g.weight[v]!;
  }
  let end = -1;
  for (let v = 0; v < n; v++) if (end === -1 || finish[v]! > finish[end]!) end = v;
  const minutes = end === -1 ? 0 : finish[end]!;
  const chain: string[] = [];
  for (let v = end; v !== -1; v = via[v]!) chain.push(g.ids[v]!);
  const slack = start.map((s, v) => minutes - s - tail[v]!);
  return { path: chain.reverse(), minutes, earliestStart: start, tail, slack };
}
