import { Inject, Injectable } from '@nestjs/common';
import {
  BUDGET_DIMENSIONS, type BudgetAggregateEvent, type BudgetParams, type BudgetUsageBody, type BudgetUsageReply, type BudgetView, type SetBudgetBody, type Subjects,
} from '@orch/contracts';
import { NotFoundError } from '@orch/errors';
import { AggregateRepository, type CommandMeta, type EventStore } from '@orch/event-store';
import { EVENT_STORE, SUBJECTS } from '@orch/service-kit';
import { LogLookup } from '../resources/log-lookup';
import { BudgetAggregate, budgetView, decide, type BudgetState } from './budget';

/** Usage reports add up whatever order they land in: a lost race is simply decided again. */
const RETRY = { maxAttempts: 50 };

/**
 * Budgets of sessions and workflows (wall time, cost, tokens): load, decide, append, like every
 * aggregate. A budget's first command checks that its session or workflow exists in the log.
 */
@Injectable()
export class Budgets {
  private readonly budgets: AggregateRepository<BudgetState, BudgetAggregateEvent>;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(SUBJECTS) subjects: Subjects,
    private readonly lookup: LogLookup,
  ) {
    this.budgets = new AggregateRepository(store, subjects, BudgetAggregate);
  }

  private async requireTarget({ scope, id }: BudgetParams): Promise<void> {
    if ((await this.budgets.load(id)).version > 0) return;
    if (await this.lookup.exists(scope, id)) return;
    throw new NotFoundError(scope === 'session' ? 'SESSION.NOT_FOUND' : 'WORKFLOW.NOT_FOUND', `${scope === 'session' ? 'Session' : 'Workflow'} ${id} does not exist`);
  }

  async setLimits(params: BudgetParams, body: SetBudgetBody, meta: CommandMeta): Promise<{ view: BudgetView; seq: number }> {
    await this.requireTarget(params);
    const limits = { tokens: body.tokens ?? null, costUsd: body.costUsd ?? null, wallSeconds: body.wallSeconds ?? null };
    const result = await this.budgets.execute(params.id, meta, (s) => decide({ type: 'SetLimits', scope: params.scope, scopeId: params.id, limits }, s), RETRY);
    return { view: budgetView(result.state, params.scope, params.id, result.version), seq: result.seq };
  }

  async reportUsage(params: BudgetParams, body: BudgetUsageBody, meta: CommandMeta): Promise<{ reply: BudgetUsageReply; seq: number }> {
    await this.requireTarget(params);
    const result = await this.budgets.execute(params.id, meta, (s) => decide({ type: 'ReportUsage', scope: params.scope, scopeId: params.id, delta: body }, s), RETRY);
    // A retried report answers with the thresholds its first run crossed.
    const crossed = result.events
      .filter((e) => e.type === 'orchestration.budget.threshold_crossed')
      .map((e) => ({ dimension: e.data.dimension as (typeof BUDGET_DIMENSIONS)[number], percent: e.data.percent as number }));
    return { reply: { ...budgetView(result.state, params.scope, params.id, result.version), crossed }, seq: result.seq };
  }

  async get(params: BudgetParams): Promise<BudgetView> {
    await this.requireTarget(params);
    const loaded = await this.budgets.load(params.id);
    return budgetView(loaded.state, params.scope, params.id, loaded.version);
  }
}
