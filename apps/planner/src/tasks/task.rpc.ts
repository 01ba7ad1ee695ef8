import { Injectable } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { PlannerRoutes as R, PlanRoutes } from '@orch/contracts';
import type { RpcContext } from '@orch/messaging';
import { commandMetaOf, RpcHandler } from '@orch/service-kit';
import { CreateTask } from './create-task';
import { NextTask } from './next-task';
import { GetTask, ListTasks } from './task.queries';
import { UpdateTask } from './update-task';

type In<K extends keyof typeof R> = (typeof R)[K]['request']['_output'];

/** NATS → command/query bus. Payloads arrive validated against the route's schema. */
@Injectable()
export class TaskRpc {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @RpcHandler(R.createTask)
  create(body: In<'createTask'>, ctx: RpcContext) {
    return this.commands.execute(new CreateTask(body, commandMetaOf(ctx)));
  }

  @RpcHandler(R.updateTask)
  update({ code, changes }: In<'updateTask'>, ctx: RpcContext) {
    return this.commands.execute(new UpdateTask(code, changes, commandMetaOf(ctx)));
  }

  @RpcHandler(R.getTask)
  async get({ code }: In<'getTask'>) {
    return { value: await this.queries.execute(new GetTask(code)) };
  }

  @RpcHandler(R.listTasks)
  async list(filter: In<'listTasks'>) {
    return { value: await this.queries.execute(new ListTasks(filter)) };
  }

  @RpcHandler(PlanRoutes.nextTask)
  async next(query: (typeof PlanRoutes.nextTask)['request']['_output'], ctx: RpcContext) {
    return { value: await this.queries.execute(new NextTask(query, ctx.meta.actor, ctx.correlationId)) };
  }
}
