import { Injectable } from '@nestjs/common';
import { BudgetRoutes as R } from '@orch/contracts';
import type { RpcContext } from '@orch/messaging';
import { commandMetaOf, RpcHandler } from '@orch/service-kit';
import { Budgets } from './budgets';

type In<K extends keyof typeof R> = (typeof R)[K]['request']['_output'];

/** NATS → budgets. Payloads arrive validated against the route's schema. */
@Injectable()
export class BudgetsRpc {
  constructor(private readonly budgets: Budgets) {}

  @RpcHandler(R.setBudget)
  async set({ params, body }: In<'setBudget'>, ctx: RpcContext) {
    const { view, seq } = await this.budgets.setLimits(params, body, commandMetaOf(ctx));
    return { value: view, seq };
  }

  @RpcHandler(R.reportUsage)
  async usage({ params, body }: In<'reportUsage'>, ctx: RpcContext) {
    const { reply, seq } = await this.budgets.reportUsage(params, body, commandMetaOf(ctx));
    return { value: reply, seq };
  }

  @RpcHandler(R.getBudget)
  async get(params: In<'getBudget'>) {
    return { value: await this.budgets.get(params) };
  }
}
