import { Injectable } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { PlannerRoutes as R } from '@orch/contracts';
import type { RpcContext } from '@orch/messaging';
import { commandMetaOf, RpcHandler } from '@orch/service-kit';
import { CreateSprint } from './create-sprint';
import { GetSprint, ListSprints } from './sprint.queries';
import { UpdateSprint } from './update-sprint';

type In<K extends keyof typeof R> = (typeof R)[K]['request']['_output'];

/** NATS → command/query bus. Payloads arrive validated against the route's schema. */
@Injectable()
export class SprintRpc {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @RpcHandler(R.createSprint)
  create(body: In<'createSprint'>, ctx: RpcContext) {
    return this.commands.execute(new CreateSprint(body, commandMetaOf(ctx)));
  }

  @RpcHandler(R.updateSprint)
  update({ code, changes }: In<'updateSprint'>, ctx: RpcContext) {
    return this.commands.execute(new UpdateSprint(code, changes, commandMetaOf(ctx)));
  }

  @RpcHandler(R.getSprint)
  async get({ code }: In<'getSprint'>) {
    return { value: await this.queries.execute(new GetSprint(code)) };
  }

  @RpcHandler(R.listSprints)
  async list(filter: In<'listSprints'>) {
    return { value: await this.queries.execute(new ListSprints(filter)) };
  }
}
