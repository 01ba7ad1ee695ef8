import { z } from 'zod';
import { AgentPermission, AgentStatus } from './agent';

const Registered = z.object({
  name: z.string(),
  type: z.string(),
  capabilities: z.array(z.string()),
  unknownCapabilities: z.array(z.string()),
  maxLoad: z.number().int(),
  priority: z.number().int(),
  permission: AgentPermission,
  costPerHour: z.number(),
});

export const AgentRegistered = z.object({ type: z.literal('orchestration.agent.registered'), data: Registered.extend({ agentId: z.string() }) });
export const AgentSpawned = z.object({ type: z.literal('orchestration.agent.spawned'), data: z.object({ agentId: z.string(), pid: z.number().int(), command: z.string() }) });
export const AgentExited = z.object({
  type: z.literal('orchestration.agent.exited'),
  data: z.object({ agentId: z.string(), code: z.number().int().nullable(), signal: z.string().nullable() }),
});
export const AgentStale = z.object({ type: z.literal('orchestration.agent.stale'), data: z.object({ agentId: z.string(), lastHeartbeatAt: z.string().nullable() }) });
export const AgentLost = z.object({
  type: z.literal('orchestration.agent.lost'),
  data: z.object({ agentId: z.string(), name: z.string(), type: z.string(), taskCodes: z.array(z.string()) }),
});
export const AgentRecovered = z.object({ type: z.literal('orchestration.agent.recovered'), data: z.object({ agentId: z.string(), from: AgentStatus }) });
export const AgentTerminated = z.object({
  type: z.literal('orchestration.agent.terminated'),
  data: z.object({ agentId: z.string(), reason: z.string().nullable(), taskCodes: z.array(z.string()) }),
});
/** Assignment bookkeeping on the agent (the task's own event is the planner's status update). */
export const AgentTaskAssigned = z.object({
  type: z.literal('orchestration.agent.task_assigned'),
  data: z.object({ agentId: z.string(), taskCode: z.string(), sprintCode: z.string().nullable(), title: z.string(), cost: z.number(), resumed: z.boolean() }),
});
export const AgentTaskReleased = z.object({ type: z.literal('orchestration.agent.task_released'), data: z.object({ agentId: z.string(), taskCode: z.string(), reason: z.string() }) });
export const AgentBudgetExhausted = z.object({
  type: z.literal('orchestration.agent.budget_exhausted'),
  data: z.object({ sprintCode: z.string(), spent: z.number(), budget: z.number() }),
});

export const AgentEvent = z.discriminatedUnion('type', [
  AgentRegistered, AgentSpawned, AgentExited, AgentStale, AgentLost, AgentRecovered, AgentTerminated, AgentTaskAssigned, AgentTaskReleased,
]);
export type AgentEvent = z.infer<typeof AgentEvent>;

/** A sprint's cost budget (aggregate `agent-budget`, id = sprint code): assignments in it stop. */
export const BudgetEvent = z.discriminatedUnion('type', [AgentBudgetExhausted]);
export type BudgetEvent = z.infer<typeof BudgetEvent>;
