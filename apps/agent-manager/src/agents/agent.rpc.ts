import { Injectable } from '@nestjs/common';
import { AgentRoutes as R } from '@orch/contracts';
import type { RpcContext } from '@orch/messaging';
import { commandMetaOf, RpcHandler } from '@orch/service-kit';
import { Assignments } from '../assignment/assignments';
import { matchAgents } from '../matching/match';
import { Spawner } from '../spawning/spawner';
import { AgentRegistry } from './registry';

type In<K extends keyof typeof R> = (typeof R)[K]['request']['_output'];

/** NATS → the registry, matching, long-poll and spawner. Payloads arrive validated against the route's schema. */
@Injectable()
export class AgentRpc {
  constructor(
    private readonly registry: AgentRegistry,
    private readonly assignments: Assignments,
    private readonly spawner: Spawner,
  ) {}

  @RpcHandler(R.registerAgent)
  async register(body: In<'registerAgent'>, ctx: RpcContext) {
    const { reply, seq } = await this.registry.register(body, commandMetaOf(ctx));
    return { value: reply, seq };
  }

  @RpcHandler(R.spawnAgent)
  async spawn(body: In<'spawnAgent'>, ctx: RpcContext) {
    const { reply, seq } = await this.spawner.spawn(body, commandMetaOf(ctx));
    return { value: reply, seq };
  }

  @RpcHandler(R.terminateAgent)
  async terminate({ id, reason }: In<'terminateAgent'>, ctx: RpcContext) {
    const { view, seq } = await this.registry.terminate(id, reason ?? null, commandMetaOf(ctx));
    this.spawner.kill(id);
    return { value: view, seq };
  }

  @RpcHandler(R.heartbeat)
  async heartbeat({ id, beat }: In<'heartbeat'>) {
    return { value: await this.registry.heartbeat(id, beat) };
  }

  @RpcHandler(R.getAgent)
  async get({ id }: In<'getAgent'>) {
    return { value: await this.registry.get(id) };
  }

  @RpcHandler(R.listAgents)
  async list(q: In<'listAgents'>) {
    return { value: { items: await this.registry.list(q) } };
  }

  @RpcHandler(R.matchAgents)
  async match(body: In<'matchAgents'>) {
    const reply = matchAgents(await this.registry.list({}), body);
    return { value: body.limit ? { ...reply, matches: reply.matches.slice(0, body.limit) } : reply };
  }

  @RpcHandler(R.assignments)
  async poll({ id, waitMs }: In<'assignments'>) {
    return { value: { items: await this.assignments.poll(id, waitMs) } };
  }
}
