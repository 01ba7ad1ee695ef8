import {
  BUDGET_DIMENSIONS, BUDGET_THRESHOLDS, BudgetAggregateEvent, type BudgetDimension, type BudgetScope, type BudgetThreshold, type BudgetView,
} from '@orch/contracts';
import type { AggregateDefinition } from '@orch/event-store';

export type PerDimension<T> = Record<BudgetDimension, T>;

export interface BudgetState {
  limits: PerDimension<number | null>;
  used: PerDimension<number>;
  /** Thresholds already announced under the current limit, per dimension. */
  crossed: PerDimension<BudgetThreshold[]>;
}

export type BudgetCommand =
  | { type: 'SetLimits'; scope: BudgetScope; scopeId: string; limits: PerDimension<number | null> }
  | { type: 'ReportUsage'; scope: BudgetScope; scopeId: string; delta: Partial<PerDimension<number>> };

const per = <T>(f: (d: BudgetDimension) => T): PerDimension<T> => ({ tokens: f('tokens'), costUsd: f('costUsd'), wallSeconds: f('wallSeconds') });

export const initialState = (): BudgetState => ({ limits: per(() => null), used: per(() => 0), crossed: per(() => []) });

/** Totals are kept to a millionth so that a run of float additions (0.1 + 0.7) still reaches 0.8. */
const round = (n: number): number => Math.round(n * 1e6) / 1e6;
const reached = (used: number, limit: number, threshold: number): boolean => used * 100 >= threshold * limit - 1e-9;

export function evolve(state: BudgetState, event: BudgetAggregateEvent): BudgetState {
  switch (event.type) {
    case 'orchestration.budget.limits_set': {
      const limits = event.data.limits;
      // A changed limit is a new budget: thresholds the usage is now below may be crossed again.
      const crossed = per((d) => (limits[d] === state.limits[d] ? state.crossed[d] : limits[d] === null ? [] : state.crossed[d].filter((t) => reached(state.used[d], limits[d]!, t))));
      return { ...state, limits, crossed };
    }
    case 'orchestration.budget.usage_reported':
      return { ...state, used: event.data.used };
    case 'orchestration.budget.threshold_crossed': {
      const { dimension, percent } = event.data;
      return { ...state, crossed: { ...state.crossed, [dimension]: [...state.crossed[dimension], percent] } };
    }
    default: {
      const never: never = event;
      return never;
    }
  }
}

/** Every threshold the usage has reached under its limit and that was not announced yet. */
function crossings(state: BudgetState, scope: BudgetScope, scopeId: string): BudgetAggregateEvent[] {
  return BUDGET_DIMENSIONS.flatMap((dimension) => {
    const limit = state.limits[dimension];
    if (limit === null) return [];
    return BUDGET_THRESHOLDS.filter((t) => reached(state.used[dimension], limit, t) && !state.crossed[dimension].includes(t)).map(
      (percent): BudgetAggregateEvent => ({ type: 'orchestration.budget.threshold_crossed', data: { scope, scopeId, dimension, percent, used: state.used[dimension], limit } }),
    );
  });
}

/**
 * A threshold event is decided on the state that already holds every earlier report, and
 * appended with the expected sequence: concurrent reports are serialised by the log, so each
 * threshold is announced by exactly one of them.
 */
export function decide(command: BudgetCommand, state: BudgetState): BudgetAggregateEvent[] {
  const { scope, scopeId } = command;
  switch (command.type) {
    case 'SetLimits': {
      if (BUDGET_DIMENSIONS.every((d) => command.limits[d] === state.limits[d])) return [];
      const set: BudgetAggregateEvent = { type: 'orchestration.budget.limits_set', data: { scope, scopeId, limits: command.limits } };
      return [set, ...crossings(evolve(state, set), scope, scopeId)];
    }
    case 'ReportUsage': {
      const delta = per((d) => command.delta[d] ?? 0);
      const reported: BudgetAggregateEvent = { type: 'orchestration.budget.usage_reported', data: { scope, scopeId, delta, used: per((d) => round(state.used[d] + delta[d])) } };
      return [reported, ...crossings(evolve(state, reported), scope, scopeId)];
    }
    default: {
      const never: never = command;
      return never;
    }
  }
}

export function budgetView(state: BudgetState, scope: BudgetScope, id: string, version: number): BudgetView {
  const dimensions = per((d) => {
    const limit = state.limits[d];
    return { limit, used: state.used[d], percent: limit === null ? null : Math.round((state.used[d] / limit) * 1000) / 10, thresholdsCrossed: [...state.crossed[d]].sort((a, b) => a - b) };
  });
  const exceeded = BUDGET_DIMENSIONS.filter((d) => state.limits[d] !== null && reached(state.used[d], state.limits[d]!, 100));
  return { scope, id, dimensions, exceeded, version };
}

export const BudgetAggregate: AggregateDefinition<BudgetState, BudgetAggregateEvent> = {
  type: 'budget',
  initialState,
  evolve: (state, event) => evolve(state, event),
  eventSchema: BudgetAggregateEvent,
};
