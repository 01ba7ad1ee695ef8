import { Injectable } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { PlanRoutes as R } from '@orch/contracts';
import type { RpcContext } from '@orch/messaging';
import { commandMetaOf, RpcHandler } from '@orch/service-kit';
import { ControlWorkflow } from './control-workflow';
import { StartWorkflow } from './start-workflow';
import { GetWorkflow, ListWorkflows } from './workflow.queries';

type In<K extends keyof typeof R> = (typeof R)[K]['request']['_output'];

/** NATS → command/query bus for workflows. */
@Injectable()
export class WorkflowRpc {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @RpcHandler(R.startWorkflow)
  start(body: In<'startWorkflow'>, ctx: RpcContext) {
    return this.commands.execute(new StartWorkflow(body, commandMetaOf(ctx)));
  }

  @RpcHandler(R.getWorkflow)
  async get({ id }: In<'getWorkflow'>) {
    return { value: await this.queries.execute(new GetWorkflow(id)) };
  }

  @RpcHandler(R.listWorkflows)
  async list(query: In<'listWorkflows'>) {
    return { value: await this.queries.execute(new ListWorkflows(query)) };
  }

  @RpcHandler(R.pauseWorkflow)
  pause({ id, body }: In<'pauseWorkflow'>, ctx: RpcContext) {
    return this.commands.execute(new ControlWorkflow(id, 'PauseWorkflow', body.reason ?? null, commandMetaOf(ctx)));
  }

  @RpcHandler(R.resumeWorkflow)
  resume({ id, body }: In<'resumeWorkflow'>, ctx: RpcContext) {
    return this.commands.execute(new ControlWorkflow(id, 'ResumeWorkflow', body.reason ?? null, commandMetaOf(ctx)));
  }

  @RpcHandler(R.cancelWorkflow)
  cancel({ id, body }: In<'cancelWorkflow'>, ctx: RpcContext) {
    return this.commands.execute(new ControlWorkflow(id, 'CancelWorkflow', body.reason ?? null, commandMetaOf(ctx)));
  }
}
