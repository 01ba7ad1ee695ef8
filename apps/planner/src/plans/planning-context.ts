import type { AgentView } from '@orch/contracts';
import type { AnalyseOptions } from './graph/analyse';

/** What the caller may fix for an analysis; anything left out comes from the registered agents. */
export interface PlanningChoices {
  agents?: number;
  costPerHour?: number;
}

/**
 * The one way a DAG is priced and checked, for `POST /plans` and `POST /plans/validate` alike:
 * as many agents as are registered (or the caller's number), their average cost per hour (or
 * the caller's, or the configured default when none is registered or the agent manager is
 * down), and capabilities checked against theirs, with a warning when they could not be.
 * `agents` is the agent manager's answer, null when it did not answer.
 */
export function planningContext(agents: AgentView[] | null, choices: PlanningChoices, defaultCostPerHour: number): AnalyseOptions {
  const costs = (agents ?? []).map((a) => a.costPerHour);
  const average = costs.length ? Math.round((costs.reduce((a, b) => a + b, 0) / costs.length) * 100) / 100 : defaultCostPerHour;
  return {
    agents: choices.agents ?? Math.max(1, agents?.length ?? 1),
    costPerHour: choices.costPerHour ?? average,
    availableCapabilities: agents && new Set(agents.flatMap((a) => a.capabilities)),
    warnings: agents ? [] : [{ code: 'PLAN.AGENTS_UNKNOWN', message: 'The agent manager did not answer: capabilities were not checked against registered agents', taskIds: [] }],
  };
}
