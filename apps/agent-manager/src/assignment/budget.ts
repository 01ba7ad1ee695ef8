import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { BudgetEvent, type Subjects } from '@orch/contracts';
import { AggregateRepository, type EventStore } from '@orch/event-store';
import { EVENT_STORE, REDIS, SUBJECTS } from '@orch/service-kit';
import type { AgentTypes } from '../config/agent-types';
import type { AgentManagerSettings } from '../config/settings';
import { AgentReadModel } from '../read-model/agent-read-model';
import { AGENT_TYPES, SETTINGS } from '../tokens';
import { systemMeta } from '../agents/registry';

/** Reserves `cost` if the sprint's spend stays within its budget; atomic across instances. */
const RESERVE = `
local spent = tonumber(redis.call('GET', KEYS[1]) or ARGV[3])
local cost = tonumber(ARGV[1])
if spent + cost > tonumber(ARGV[2]) + 1e-9 then return 0 end
redis.call('SET', KEYS[1], tostring(spent + cost), 'PX', 86400000)
return 1`;

type BudgetState = { exhausted: boolean };
const BudgetAggregate = {
  type: 'agent-budget',
  initialState: (): BudgetState => ({ exhausted: false }),
  evolve: (): BudgetState => ({ exhausted: true }),
  eventSchema: BudgetEvent,
};

/**
 * The cost budget per sprint: each assignment is charged the agent's cost per hour × the task's
 * estimate. Redis holds the running spend (seeded from the read model when absent) so that two
 * instances cannot overspend; when a reservation does not fit, `budget_exhausted` is emitted once
 * per sprint (aggregate `agent-budget`) and assignments in that sprint stop.
 */
@Injectable()
export class SprintBudget {
  private readonly budgets: AggregateRepository<BudgetState, BudgetEvent>;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(SUBJECTS) subjects: Subjects,
    private readonly readModel: AgentReadModel,
    @Inject(AGENT_TYPES) private readonly types: AgentTypes,
    @Inject(SETTINGS) private readonly settings: AgentManagerSettings,
  ) {
    this.budgets = new AggregateRepository(store, subjects, BudgetAggregate);
    if (!(redis as unknown as { budgetReserve?: unknown }).budgetReserve) redis.defineCommand('budgetReserve', { numberOfKeys: 1, lua: RESERVE });
  }

  get limit(): number | null {
    return this.settings.sprintBudget ?? this.types.file.quotas.sprintBudget;
  }

  costOf(costPerHour: number, estimateMinutes: number | null): number {
    return (costPerHour * (estimateMinutes ?? this.types.file.quotas.defaultEstimateMinutes)) / 60;
  }

  /** True when the cost fits (and is now reserved); false when the sprint's budget is spent. */
  async reserve(sprintCode: string | null, cost: number): Promise<boolean> {
    const limit = this.limit;
    if (limit === null || !sprintCode) return true;
    const seed = await this.readModel.spent(sprintCode);
    const run = (this.redis as unknown as { budgetReserve: (...a: unknown[]) => Promise<number> }).budgetReserve;
    const key = `agents:spend:${sprintCode}`;
    if ((await run.call(this.redis, key, cost, limit, seed)) === 1) return true;
    const spent = Math.round(Number((await this.redis.get(key)) ?? seed) * 100) / 100;
    await this.budgets.execute(sprintCode, systemMeta(`budget-exhausted-${sprintCode}`), (s) =>
      s.exhausted ? [] : [{ type: 'orchestration.agent.budget_exhausted', data: { sprintCode, spent, budget: limit } }],
    );
    return false;
  }

  async refund(sprintCode: string | null, cost: number): Promise<void> {
    if (this.limit === null || !sprintCode) return;
    await this.redis.incrbyfloat(`agents:spend:${sprintCode}`, -cost);
  }
}
