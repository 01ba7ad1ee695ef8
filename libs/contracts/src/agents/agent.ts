import { z } from 'zod';
import { SprintCode, TaskCode } from '../common/ids';
import { AgentRef, Capability } from '../planning/task';
import { SpawnPlacement } from '../resources/resources';

export const AgentStatus = z.enum(['IDLE', 'BUSY', 'STALE', 'LOST', 'TERMINATED']);
export type AgentStatus = z.infer<typeof AgentStatus>;

/** What an agent may do: `full` may override gates, `limited` works its own tasks, `readonly` watches. */
export const AgentPermission = z.enum(['full', 'limited', 'readonly']);
export type AgentPermission = z.infer<typeof AgentPermission>;

/** Agent ids are aggregate ids and subject tokens; they are also the key prefix `agt_<id>.`. */
export const AgentId = AgentRef;
export type AgentId = z.infer<typeof AgentId>;

/** Agent type names come from `config/agents.yaml`. */
export const AgentTypeName = z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'must be a lower-case word such as coder');

const Name = z.string().trim().min(1, 'must not be empty').max(100);
const Capabilities = z.array(Capability).max(64);
/** Higher first when matching. */
const Priority = z.number().int().min(0).max(1000);
const MaxLoad = z.number().int().min(1).max(1000);

// ---- REST bodies (strict: an unknown field is a 400 naming it) ----

/** `POST /agents`: an external agent joins; missing fields come from its type's defaults. */
export const RegisterAgentBody = z.strictObject({
  name: Name,
  type: AgentTypeName,
  capabilities: Capabilities.optional(),
  maxLoad: MaxLoad.optional(),
  priority: Priority.optional(),
  permission: AgentPermission.optional(),
});
export type RegisterAgentBody = z.infer<typeof RegisterAgentBody>;

/** `POST /agents/spawn`. */
/** `sprintCode`: the sprint the agent works for (resource quotas and fair share count it there). */
export const SpawnAgentBody = z.strictObject({ type: AgentTypeName, name: Name.optional(), sprintCode: SprintCode.optional() });
export type SpawnAgentBody = z.infer<typeof SpawnAgentBody>;

/** `POST /agents/:id/heartbeat`: high-frequency, kept in Redis, never in the log. */
export const HeartbeatBody = z.strictObject({
  load: z.number().int().min(0).max(1000).optional(),
  progress: z.string().max(2000).optional(),
});
export type HeartbeatBody = z.infer<typeof HeartbeatBody>;

/** `POST /agents/match`. */
export const MatchAgentsBody = z.strictObject({
  capabilities: Capabilities,
  type: AgentTypeName.optional(),
  limit: z.number().int().min(1).max(500).optional(),
});
export type MatchAgentsBody = z.infer<typeof MatchAgentsBody>;

export const AgentIdParams = z.strictObject({ id: AgentId });
export type AgentIdParams = z.infer<typeof AgentIdParams>;

export const ListAgentsQuery = z.strictObject({
  status: AgentStatus.optional(),
  type: AgentTypeName.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});
export type ListAgentsQuery = z.infer<typeof ListAgentsQuery>;

/** `GET /agents/:id/assignments?wait=30`: waits up to `wait` seconds for a first assignment. */
export const AssignmentsQuery = z.strictObject({ wait: z.coerce.number().int().min(0).max(30).default(0) });
export type AssignmentsQuery = z.infer<typeof AssignmentsQuery>;

export const TerminateAgentBody = z.strictObject({ reason: z.string().max(2000).optional() });
export type TerminateAgentBody = z.infer<typeof TerminateAgentBody>;

// ---- views ----

export const AgentView = z.object({
  id: AgentId,
  name: z.string(),
  type: z.string(),
  capabilities: z.array(z.string()),
  status: AgentStatus,
  load: z.number().int(),
  maxLoad: z.number().int(),
  priority: z.number().int(),
  permission: AgentPermission,
  lastHeartbeatAt: z.string().nullable(),
  /** What the agent last said it was doing (from its heartbeat). */
  progress: z.string().nullable().default(null),
  lastAssignedAt: z.string().nullable(),
  costPerHour: z.number(),
  /** Tasks the agent holds (ASSIGNED or IN_PROGRESS by it, as the agent manager assigned them). */
  taskCodes: z.array(z.string()).default([]),
  /** Capabilities outside the shipped catalogue (allowed, reported). */
  unknownCapabilities: z.array(z.string()).default([]),
  spawned: z.boolean().default(false),
  registeredAt: z.string().nullable().default(null),
  version: z.number().int().default(0),
});
export type AgentView = z.infer<typeof AgentView>;

export const AgentPage = z.object({ items: z.array(AgentView) });
export type AgentPage = z.infer<typeof AgentPage>;

/** Registration and spawning answer the agent and its own API key (shown once). */
export const RegisteredAgent = z.object({ agent: AgentView, apiKey: z.string(), warnings: z.array(z.string()) });
export type RegisteredAgent = z.infer<typeof RegisteredAgent>;

/** `placement`: the host and resources the allocator reserved for it (released when it exits or is terminated). */
export const SpawnedAgent = RegisteredAgent.extend({ pid: z.number().int(), placement: SpawnPlacement.optional() });
export type SpawnedAgent = z.infer<typeof SpawnedAgent>;

export const HeartbeatReply = z.object({ id: AgentId, status: AgentStatus, load: z.number().int(), at: z.string() });
export type HeartbeatReply = z.infer<typeof HeartbeatReply>;

export const MatchRejection = z.object({ id: AgentId, name: z.string(), reasons: z.array(z.string()) });
export const MatchReply = z.object({ matches: z.array(AgentView), rejected: z.array(MatchRejection) });
export type MatchReply = z.infer<typeof MatchReply>;

export const Assignment = z.object({
  taskCode: TaskCode,
  sprintCode: SprintCode.nullable(),
  title: z.string(),
  type: z.string(),
  requiredCapabilities: z.array(z.string()),
  assignedAt: z.string(),
  /** A task released by a lost agent: start with `session-start`, which returns the resume briefing. */
  resumed: z.boolean(),
  /** The task's status as the agent manager last saw it (ASSIGNED until the agent starts it). */
  status: z.string(),
});
export type Assignment = z.infer<typeof Assignment>;

export const AssignmentsReply = z.object({ items: z.array(Assignment) });
export type AssignmentsReply = z.infer<typeof AssignmentsReply>;
