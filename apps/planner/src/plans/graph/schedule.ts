import type { IndexedGraph } from './dag';
import { MinHeap } from './min-heap';

/**
 * Wall-clock minutes with `agents` agents working in parallel: a list schedule that always
 * starts, among the ready tasks, the one with the longest remaining chain (`tail`) first. One
 * agent gives the total effort; unlimited agents give the critical path length.
 */
export function wallClockMinutes(g: IndexedGraph, tail: readonly number[], agents: number): number {
  const n = g.ids.length;
  const waiting = g.preds.map((p) => p.length);
  const ready = new MinHeap<number>((a, b) => tail[b]! - tail[a]! || a - b);
  const running = new MinHeap<{ at: number; v: number }>((a, b) => a.at - b.at || a.v - b.v);
  for (let v = 0; v < n; v++) if (waiting[v] === 0) ready.push(v);
  let now = 0;
  let done = 0;
  while (done < n) {
    while (running.size < agents && ready.size > 0) {
      const v = ready.pop()!;
      running.push({ at: now + g.weight[v]!, v });
    }
    const next = running.pop();
    if (!next) break; // a cycle: nothing can run (validation reports it)
    now = next.at;
    done++;
    for (const s of g.succs[next.v]!) if (--waiting[s]! === 0) ready.push(s);
  }
  return now;
}
