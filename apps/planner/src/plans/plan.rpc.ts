import { Injectable } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { PlanRoutes as R } from '@orch/contracts';
import type { RpcContext } from '@orch/messaging';
import { commandMetaOf, RpcHandler } from '@orch/service-kit';
import { AcceptPlan } from './accept-plan';
import { CreatePlan } from './create-plan';
import { GetPlan, ListPlans, ListTemplates, ValidateDag } from './plan.queries';

type In<K extends keyof typeof R> = (typeof R)[K]['request']['_output'];

/** NATS → command/query bus for plans. Payloads arrive validated against the route's schema. */
@Injectable()
export class PlanRpc {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @RpcHandler(R.createPlan)
  create(body: In<'createPlan'>, ctx: RpcContext) {
    return this.commands.execute(new CreatePlan(body, commandMetaOf(ctx)));
  }

  @RpcHandler(R.acceptPlan)
  accept({ id, body }: In<'acceptPlan'>, ctx: RpcContext) {
    return this.commands.execute(new AcceptPlan(id, body, commandMetaOf(ctx)));
  }

  @RpcHandler(R.getPlan)
  async get({ id }: In<'getPlan'>) {
    return { value: await this.queries.execute(new GetPlan(id)) };
  }

  @RpcHandler(R.listPlans)
  async list(query: In<'listPlans'>) {
    return { value: await this.queries.execute(new ListPlans(query)) };
  }

  @RpcHandler(R.listTemplates)
  async templates() {
    return { value: await this.queries.execute(new ListTemplates()) };
  }

  @RpcHandler(R.validateDag)
  async validate(body: In<'validateDag'>, ctx: RpcContext) {
    return { value: await this.queries.execute(new ValidateDag(body, ctx.meta.actor, ctx.correlationId)) };
  }
}
