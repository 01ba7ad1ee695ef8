import type { BudgetAggregateEvent } from '@orch/contracts';
import { deciderSpec } from '@orch/testing';
import { budgetView, decide, evolve, initialState, type BudgetCommand, type BudgetState } from './budget';

const spec = deciderSpec<BudgetState, BudgetAggregateEvent, BudgetCommand>({ initialState, evolve: (s, e) => evolve(s, e), decide });
const T = { scope: 'session' as const, scopeId: 'sess_TSK-1_20260101_120000' };
const noLimits = { tokens: null, costUsd: null, wallSeconds: null };
const setLimits = (limits: Partial<typeof noLimits> | Record<string, number | null>): BudgetCommand => ({ type: 'SetLimits', ...T, limits: { ...noLimits, ...limits } });
const limitsSet = (limits: Record<string, number | null>): BudgetAggregateEvent => ({ type: 'orchestration.budget.limits_set', data: { ...T, limits: { ...noLimits, ...limits } } });
const report = (delta: Record<string, number>): BudgetCommand => ({ type: 'ReportUsage', ...T, delta });
const zero = { tokens: 0, costUsd: 0, wallSeconds: 0 };
const usage = (delta: Record<string, number>, used: Record<string, number>): BudgetAggregateEvent => ({
  type: 'orchestration.budget.usage_reported', data: { ...T, delta: { ...zero, ...delta }, used: { ...zero, ...used } },
});
const crossed = (dimension: 'tokens' | 'costUsd' | 'wallSeconds', percent: 80 | 100, used: number, limit: number): BudgetAggregateEvent => ({
  type: 'orchestration.budget.threshold_crossed', data: { ...T, dimension, percent, used, limit },
});
const fold = (events: BudgetAggregateEvent[]) => events.reduce((s, e) => evolve(s, e), initialState());

describe('a budget', () => {
  describe('when it has no limits', () => {
    it('counts usage without thresholds', () => spec.given([]).when(report({ tokens: 500 })).then([usage({ tokens: 500 }, { tokens: 500 })]));
    it('takes limits, and the same limits again as a retry', () => {
      spec.given([]).when(setLimits({ tokens: 1000 })).then([limitsSet({ tokens: 1000 })]);
      spec.given([limitsSet({ tokens: 1000 })]).when(setLimits({ tokens: 1000 })).then([]);
    });
  });

  describe('when limited to 1000 tokens', () => {
    const limited = [limitsSet({ tokens: 1000 })];
    it('stays quiet below 80 %', () => spec.given(limited).when(report({ tokens: 799 })).then([usage({ tokens: 799 }, { tokens: 799 })]));
    it('announces 80 % when a report reaches it', () => {
      spec.given(limited).when(report({ tokens: 800 })).then([usage({ tokens: 800 }, { tokens: 800 }), crossed('tokens', 80, 800, 1000)]);
    });
    it('announces 80 % and 100 % together when one report jumps past both', () => {
      spec.given(limited).when(report({ tokens: 5000 })).then([usage({ tokens: 5000 }, { tokens: 5000 }), crossed('tokens', 80, 5000, 1000), crossed('tokens', 100, 5000, 1000)]);
    });
    it('never announces a threshold twice', () => {
      const past = [...limited, usage({ tokens: 1200 }, { tokens: 1200 }), crossed('tokens', 80, 1200, 1000), crossed('tokens', 100, 1200, 1000)];
      spec.given(past).when(report({ tokens: 1 })).then([usage({ tokens: 1 }, { tokens: 1201 })]);
    });
  });

  it('keeps each dimension apart', () => {
    spec.given([limitsSet({ tokens: 1000, costUsd: 2 })]).when(report({ tokens: 100, costUsd: 1.6 }))
      .then([usage({ tokens: 100, costUsd: 1.6 }, { tokens: 100, costUsd: 1.6 }), crossed('costUsd', 80, 1.6, 2)]);
  });

  it('reaches a threshold through float sums (0.1 + 0.7 of 1 USD is 80 %)', () => {
    spec.given([limitsSet({ costUsd: 1 }), usage({ costUsd: 0.1 }, { costUsd: 0.1 })]).when(report({ costUsd: 0.7 }))
      .then([usage({ costUsd: 0.7 }, { costUsd: 0.8 }), crossed('costUsd', 80, 0.8, 1)]);
  });

  describe('when a limit changes', () => {
    const over = [limitsSet({ wallSeconds: 100 }), usage({ wallSeconds: 90 }, { wallSeconds: 90 }), crossed('wallSeconds', 80, 90, 100)];
    it('a raised limit re-arms the thresholds the usage is now below', () => {
      spec.given(over).when(setLimits({ wallSeconds: 1000 })).then([limitsSet({ wallSeconds: 1000 })]);
      spec.given([...over, limitsSet({ wallSeconds: 1000 })]).when(report({ wallSeconds: 710 }))
        .then([usage({ wallSeconds: 710 }, { wallSeconds: 800 }), crossed('wallSeconds', 80, 800, 1000)]);
    });
    it('a lowered limit announces at once what the usage already passed, except what was announced', () => {
      spec.given(over).when(setLimits({ wallSeconds: 50 })).then([limitsSet({ wallSeconds: 50 }), crossed('wallSeconds', 100, 90, 50)]);
    });
  });

  it('shows limit, usage, percentage and what is exceeded', () => {
    const view = budgetView(fold([limitsSet({ tokens: 1000, costUsd: 2 }), usage({ tokens: 1234, costUsd: 0.5 }, { tokens: 1234, costUsd: 0.5 }), crossed('tokens', 80, 1234, 1000), crossed('tokens', 100, 1234, 1000)]), 'session', T.scopeId, 4);
    expect(view).toEqual({
      scope: 'session', id: T.scopeId, version: 4, exceeded: ['tokens'],
      dimensions: {
        tokens: { limit: 1000, used: 1234, percent: 123.4, thresholdsCrossed: [80, 100] },
        costUsd: { limit: 2, used: 0.5, percent: 25, thresholdsCrossed: [] },
        wallSeconds: { limit: null, used: 0, percent: null, thresholdsCrossed: [] },
      },
    });
  });
});
