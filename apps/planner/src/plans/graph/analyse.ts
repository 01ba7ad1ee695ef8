import type { DagIssue, PlanAnalysis } from '@orch/contracts';
import { criticalPath } from './critical-path';
import { indexGraph, topologicalOrder, type GraphTask } from './dag';
import { layersOf } from './layers';
import { wallClockMinutes } from './schedule';
import { validateDag } from './validate';

export interface AnalyseOptions {
  agents: number;
  costPerHour: number;
  /** Capabilities some registered agent has; null when the agent manager could not be asked. */
  availableCapabilities: ReadonlySet<string> | null;
  /** Extra warnings from the caller (e.g. why capabilities were not checked). */
  warnings?: DagIssue[];
}

/**
 * Validation, then optimisation: parallel layers, the critical path, total effort, wall-clock
 * with N agents and cost. An invalid DAG gets its errors and empty figures, never a partial answer.
 */
export function analyseDag(tasks: readonly GraphTask[], opts: AnalyseOptions): PlanAnalysis {
  const g = indexGraph(tasks);
  const errors = validateDag(tasks, g);
  const warnings = [...(opts.warnings ?? []), ...capabilityWarnings(tasks, opts.availableCapabilities)];
  const empty = { layers: [], criticalPath: [], criticalPathMinutes: 0, totalEffortMinutes: 0, wallClockMinutes: 0, estimatedCost: 0, slackMinutes: {} };
  const base = { errors, warnings, taskCount: tasks.length, agents: opts.agents, costPerHour: opts.costPerHour };
  if (errors.length > 0) return { valid: false, ...base, ...empty };
  const order = topologicalOrder(g)!;
  const cp = criticalPath(g, order)!;
  const total = g.weight.reduce((a, b) => a + b, 0);
  const slackMinutes: Record<string, number> = {};
  g.ids.forEach((id, v) => (slackMinutes[id] = cp.slack[v]!));
  return {
    valid: true,
    ...base,
    layers: layersOf(g, order)!,
    criticalPath: cp.path,
    criticalPathMinutes: cp.minutes,
    totalEffortMinutes: total,
    wallClockMinutes: wallClockMinutes(g, cp.tail, opts.agents),
    estimatedCost: Math.round((total / 60) * opts.costPerHour * 100) / 100,
    slackMinutes,
  };
}

function capabilityWarnings(tasks: readonly GraphTask[], available: ReadonlySet<string> | null): DagIssue[] {
  if (!available) return [];
  const missing = new Map<string, string[]>();
  for (const t of tasks) for (const c of t.requiredCapabilities ?? []) if (!available.has(c)) missing.set(c, [...(missing.get(c) ?? []), t.id]);
  return [...missing].map(([capability, taskIds]) => ({
    code: 'PLAN.CAPABILITY_UNAVAILABLE',
    message: `No registered agent has the capability ${capability} (needed by ${taskIds.length === 1 ? taskIds[0] : `${taskIds.length} tasks`})`,
    taskIds,
  }));
}
