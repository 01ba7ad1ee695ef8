import { z } from 'zod';
import { commandRoute, queryRoute } from '../common/rpc';
import {
  AgentId, AgentIdParams, AgentPage, AgentView, AssignmentsReply, HeartbeatBody, HeartbeatReply, ListAgentsQuery,
  MatchAgentsBody, MatchReply, RegisterAgentBody, RegisteredAgent, SpawnAgentBody, SpawnedAgent, TerminateAgentBody,
} from './agent';

/** The agent manager's request/reply surface; the gateway, the planner and sessions validate with these. */
export const AgentRoutes = {
  registerAgent: commandRoute('agent-manager', 'agents.register', RegisterAgentBody, RegisteredAgent),
  spawnAgent: commandRoute('agent-manager', 'agents.spawn', SpawnAgentBody, SpawnedAgent),
  terminateAgent: commandRoute('agent-manager', 'agents.terminate', z.object({ id: AgentId, reason: TerminateAgentBody.shape.reason }), AgentView),
  heartbeat: commandRoute('agent-manager', 'agents.heartbeat', z.object({ id: AgentId, beat: HeartbeatBody }), HeartbeatReply),
  getAgent: queryRoute('agent-manager', 'agents.get', AgentIdParams, AgentView),
  listAgents: queryRoute('agent-manager', 'agents.list', ListAgentsQuery, AgentPage),
  matchAgents: queryRoute('agent-manager', 'agents.match', MatchAgentsBody, MatchReply),
  /** Long-poll: answers at once when the agent holds work, else waits up to `wait` seconds. */
  assignments: queryRoute('agent-manager', 'agents.assignments', z.object({ id: AgentId, waitMs: z.number().int().min(0).max(30_000) }), AssignmentsReply),
} as const;
