import type { DagIssue } from '@orch/contracts';
import { indexGraph, type GraphTask, type IndexedGraph } from './dag';

/** Cycles reported at most; one is enough to fix, a few show whether there is a pattern. */
const MAX_CYCLES = 5;

/**
 * Everything that makes a task list not a DAG: duplicate ids, unknown and self dependencies,
 * and cycles, each named in order (`a → b → c → a`). Linear time; no recursion, so a 10,000-task
 * chain is as safe as a small plan.
 */
export function validateDag(tasks: readonly GraphTask[], g: IndexedGraph = indexGraph(tasks)): DagIssue[] {
  const issues: DagIssue[] = [];
  const ids = new Set<string>();
  const duplicates = new Set<string>();
  for (const t of tasks) (ids.has(t.id) ? duplicates : ids).add(t.id);
  for (const id of duplicates) issues.push({ code: 'DAG.DUPLICATE_ID', message: `Task id ${id} is used more than once`, taskIds: [id] });
  for (const t of tasks) {
    if (t.dependsOn.includes(t.id)) issues.push({ code: 'DAG.SELF_DEPENDENCY', message: `Task ${t.id} depends on itself`, taskIds: [t.id] });
    const unknown = t.dependsOn.filter((d) => !ids.has(d));
    if (unknown.length) issues.push({ code: 'DAG.UNKNOWN_DEPENDENCY', message: `Task ${t.id} depends on unknown task${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`, taskIds: [t.id, ...unknown] });
  }
  for (const cycle of findCycles(g)) {
    issues.push({ code: 'DAG.CYCLE', message: `Dependency cycle: ${cycle.join(' → ')}`, taskIds: cycle });
  }
  return issues;
}

/**
 * Iterative depth-first search with three colours; a back edge to a node on the current path
 * closes a cycle, read off the path. Returns cycles as id lists that end where they start.
 */
export function findCycles(g: IndexedGraph, max = MAX_CYCLES): string[][] {
  const n = g.ids.length;
  const colour = new Uint8Array(n); // 0 unvisited, 1 on the path, 2 done
  const cycles: string[][] = [];
  const path: number[] = [];
  const next: number[] = []; // per path entry: which predecessor to visit next
  for (let root = 0; root < n && cycles.length < max; root++) {
    if (colour[root] !== 0) continue;
    path.push(root);
    next.push(0);
    colour[root] = 1;
    while (path.length > 0) {
      const top = path.length - 1;
      const v = path[top]!;
      // Walk "depends on" edges, so a cycle reads in the order tasks wait for each other.
      const edges = g.preds[v]!;
      if (next[top]! < edges.length) {
        const u = edges[next[top]!++]!;
        if (colour[u] === 0) {
          colour[u] = 1;
          path.push(u);
          next.push(0);
        } else if (colour[u] === 1 && cycles.length < max) {
          const from = path.lastIndexOf(u);
          cycles.push([...path.slice(from), u].map((i) => g.ids[i]!));
        }
      } else {
        colour[v] = 2;
        path.pop();
        next.pop();
      }
    }
  }
  return cycles;
}
