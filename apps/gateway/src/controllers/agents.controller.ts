import { Inject } from '@nestjs/common';
import { z } from 'zod';
import type { GatewayConfig } from '@orch/config';
import {
  AgentIdParams, AgentPage, AgentRoutes, AgentView, AssignmentsQuery, AssignmentsReply, HeartbeatBody, HeartbeatReply, ListAgentsQuery,
  MatchAgentsBody, MatchReply, RegisterAgentBody, RegisteredAgent, SpawnAgentBody, SpawnedAgent, TerminateAgentBody, type AgentId,
} from '@orch/contracts';
import { ForbiddenError } from '@orch/errors';
import { ADMINS, READERS, WRITERS } from '../auth/roles';
import { ApiController, Endpoint } from '../http/endpoint';
import { CallerOf, Input, type Caller } from '../http/request-state';
import { ServiceCaller, ServiceReply } from '../rpc/service-caller';
import { GATEWAY_CONFIG } from '../tokens';

/** A DELETE may carry a reason; most clients send no body at all. */
const TerminateBody = TerminateAgentBody.optional();

/**
 * `/api/v1/agents`: parse, call the agent manager, map. An agent's own key (`agt_…`) may only
 * heartbeat, poll or terminate itself; admin and shared agent keys may act for any agent.
 */
@ApiController('agents')
export class AgentsController {
  constructor(
    private readonly services: ServiceCaller,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Endpoint({ method: 'POST', summary: 'Register an agent', description: 'Missing fields come from the type in config/agents.yaml. The answer carries the agent’s own API key, shown once; unknown capabilities are accepted and listed in `warnings`.', roles: WRITERS, body: RegisterAgentBody, response: RegisteredAgent, status: 201, write: true, service: true, errors: [422] })
  registerAgent(@Input('body') body: RegisterAgentBody, @CallerOf() caller: Caller) {
    return this.services.call(AgentRoutes.registerAgent, body, caller);
  }

  @Endpoint({ method: 'POST', path: 'spawn', summary: 'Spawn an agent process', description: 'Starts the type’s configured command with ORCH_URL, ORCH_API_KEY (its own key) and ORCH_AGENT_ID in its environment.', roles: ADMINS, body: SpawnAgentBody, response: SpawnedAgent, status: 201, write: true, service: true, errors: [422] })
  spawnAgent(@Input('body') body: SpawnAgentBody, @CallerOf() caller: Caller) {
    return this.services.call(AgentRoutes.spawnAgent, body, caller);
  }

  @Endpoint({ method: 'POST', path: 'match', summary: 'Match agents to capabilities', description: 'Sorted by priority, then load, then least recently assigned; every rejected agent with its reasons.', roles: READERS, body: MatchAgentsBody, response: MatchReply, service: true })
  matchAgents(@Input('body') body: MatchAgentsBody, @CallerOf() caller: Caller) {
    return this.services.call(AgentRoutes.matchAgents, body, caller);
  }

  @Endpoint({ method: 'GET', summary: 'List agents', roles: READERS, query: ListAgentsQuery, response: AgentPage, service: true })
  listAgents(@Input('query') query: ListAgentsQuery, @CallerOf() caller: Caller) {
    return this.services.call(AgentRoutes.listAgents, query, caller);
  }

  @Endpoint({ method: 'GET', path: ':id', summary: 'Get an agent', roles: READERS, params: AgentIdParams, response: AgentView, service: true })
  getAgent(@Input('params') params: { id: AgentId }, @CallerOf() caller: Caller) {
    return this.services.call(AgentRoutes.getAgent, params, caller);
  }

  @Endpoint({ method: 'DELETE', path: ':id', summary: 'Terminate an agent', description: 'Its tasks go back to READY; a spawned process gets SIGTERM, then SIGKILL after the grace period.', roles: WRITERS, params: AgentIdParams, body: TerminateBody, response: AgentView, write: true, service: true })
  terminateAgent(@Input('params') params: { id: AgentId }, @Input('body') body: z.infer<typeof TerminateBody>, @CallerOf() caller: Caller) {
    this.ownAgentOnly(params.id, caller);
    return this.services.call(AgentRoutes.terminateAgent, { id: params.id, reason: body?.reason }, caller);
  }

  @Endpoint({ method: 'POST', path: ':id/heartbeat', summary: 'Heartbeat', description: 'Kept in Redis with a TTL, never in the log; a STALE or LOST agent recovers.', roles: WRITERS, params: AgentIdParams, body: HeartbeatBody, response: HeartbeatReply, service: true, errors: [409] })
  heartbeatAgent(@Input('params') params: { id: AgentId }, @Input('body') beat: HeartbeatBody, @CallerOf() caller: Caller) {
    this.ownAgentOnly(params.id, caller);
    return this.services.call(AgentRoutes.heartbeat, { id: params.id, beat }, caller);
  }

  @Endpoint({ method: 'GET', path: ':id/assignments', summary: 'Long-poll for assignments', description: 'Answers at once with the tasks assigned and not yet started; otherwise waits up to `wait` seconds (max 30) for one.', roles: WRITERS, params: AgentIdParams, query: AssignmentsQuery, response: AssignmentsReply, service: true })
  async agentAssignments(@Input('params') params: { id: AgentId }, @Input('query') query: AssignmentsQuery, @CallerOf() caller: Caller) {
    this.ownAgentOnly(params.id, caller);
    // The wait is cut into slices shorter than the RPC timeout, so a 30 s poll never looks like a dead service.
    const slice = Math.max(500, this.config.RPC_TIMEOUT_MS - 1_000);
    const deadline = Date.now() + query.wait * 1_000;
    for (;;) {
      const waitMs = Math.max(0, Math.min(slice, deadline - Date.now()));
      const reply: ServiceReply<AssignmentsReply> = await this.services.call(AgentRoutes.assignments, { id: params.id, waitMs }, caller);
      if (reply.value.items.length > 0 || Date.now() >= deadline) return reply;
    }
  }

  private ownAgentOnly(id: string, caller: Caller): void {
    const { principal } = caller;
    if (principal.keyId === `agent-${principal.actor.id}` && principal.actor.id !== id) {
      throw new ForbiddenError('AUTH.NOT_YOUR_AGENT', `This key belongs to agent ${principal.actor.id}; it may not act for ${id}`);
    }
  }
}
