import type { TaskPriority, TemplateSummary } from '@orch/contracts';

export interface DecomposeRequest {
  goal: string;
  template: string;
  params: Record<string, string>;
}

/** One primitive task of a decomposition, before estimates are learned and the DAG is analysed. */
export interface DecomposedTask {
  id: string;
  title: string;
  description: string;
  type: string;
  priority: TaskPriority;
  estimateMinutes: number;
  requiredCapabilities: string[];
  dependsOn: string[];
  /** Stable key of the template step (`feature.main.implement`): what estimates learn by. */
  step: string;
}

/**
 * The port that turns a goal into tasks. The template planner (hierarchical task-network
 * methods from YAML) is the default; an LLM-backed one can be bound to the same token.
 */
export interface Decomposer {
  readonly name: string;
  decompose(request: DecomposeRequest): Promise<DecomposedTask[]>;
  /** The kinds of goal it knows (`template` names callers may send), for `GET /plans/templates`. */
  templates(): TemplateSummary[];
}

export const DECOMPOSER = Symbol('DECOMPOSER');
