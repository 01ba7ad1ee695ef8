import { Injectable } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { BugRoutes as R } from '@orch/contracts';
import type { RpcContext } from '@orch/messaging';
import { commandMetaOf, RpcHandler } from '@orch/service-kit';
import { GetBug, ListBugs } from './bug.queries';
import { LogBug } from './log-bug';
import { ResolveBug } from './resolve-bug';

type In<K extends keyof typeof R> = (typeof R)[K]['request']['_output'];

/** NATS → command/query bus. Payloads arrive validated against the route's schema. */
@Injectable()
export class BugRpc {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @RpcHandler(R.logBug)
  log(body: In<'logBug'>, ctx: RpcContext) {
    return this.commands.execute(new LogBug(body, commandMetaOf(ctx)));
  }

  @RpcHandler(R.updateBug)
  update({ hash, changes }: In<'updateBug'>, ctx: RpcContext) {
    return this.commands.execute(new ResolveBug(hash, changes, commandMetaOf(ctx)));
  }

  @RpcHandler(R.getBug)
  async get({ hash }: In<'getBug'>) {
    return { value: await this.queries.execute(new GetBug(hash)) };
  }

  @RpcHandler(R.listBugs)
  async list(filter: In<'listBugs'>) {
    return { value: await this.queries.execute(new ListBugs(filter)) };
  }
}
