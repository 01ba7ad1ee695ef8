import type { IndexedGraph } from './dag';

/**
 * Topological levels: layer 0 has no dependencies; a task sits one layer after its latest
 * dependency, so every task of a layer can run in parallel. Null when the graph has a cycle.
 */
export function layersOf(g: IndexedGraph, order: readonly number[] | null): string[][] | null {
  if (!order) return null;
  const level = new Int32Array(g.ids.length);
  const layers: string[][] = [];
  for (const v of order) {
    let l = 0;
    for (const p of g.preds[v]!) l = Math.max(l, level[p]! + 1);
    level[v] = l;
    (layers[l] ??= []).push(g.ids[v]!);
  }
  return layers;
}
