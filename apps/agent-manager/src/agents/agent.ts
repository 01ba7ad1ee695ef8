import { AgentEvent, type AgentPermission, type AgentStatus, type AgentView } from '@orch/contracts';
import { ConflictError, NotFoundError } from '@orch/errors';
import type { AggregateDefinition, EventMeta } from '@orch/event-store';

export interface HeldTask {
  taskCode: string;
  sprintCode: string | null;
  title: string;
  assignedAt: string;
  cost: number;
  resumed: boolean;
}

export interface Agent {
  id: string;
  name: string;
  type: string;
  capabilities: string[];
  unknownCapabilities: string[];
  maxLoad: number;
  priority: number;
  permission: AgentPermission;
  costPerHour: number;
  status: AgentStatus;
  tasks: HeldTask[];
  lastAssignedAt: string | null;
  registeredAt: string;
  spawned: boolean;
  pid: number | null;
  version: number;
}

export type AgentState = Agent | null;

export type Registration = Omit<Extract<AgentEvent, { type: 'orchestration.agent.registered' }>['data'], 'agentId'>;

/**
 * Liveness transitions (stale, lost, recovered) do not depend on what the caller saw, so a
 * lost race is decided again; an assignment carries its own check (capacity, status) that is
 * re-evaluated on the reloaded state, so two instances can never push an agent over maxLoad.
 */
export type AgentCommand =
  | { type: 'RegisterAgent'; id: string; registration: Registration }
  | { type: 'RecordSpawn'; id: string; pid: number; command: string }
  | { type: 'RecordExit'; id: string; code: number | null; signal: string | null }
  | { type: 'MarkStale'; id: string; lastHeartbeatAt: string | null }
  | { type: 'MarkLost'; id: string }
  | { type: 'Recover'; id: string }
  | { type: 'Terminate'; id: string; reason: string | null }
  | { type: 'AssignTask'; id: string; task: Omit<HeldTask, 'assignedAt'> }
  | { type: 'ReleaseTask'; id: string; taskCode: string; reason: string };

/** Statuses in which an agent takes new work. */
export const AVAILABLE: readonly AgentStatus[] = ['IDLE', 'BUSY'];

export const initialState = (): AgentState => null;

const busyOrIdle = (tasks: HeldTask[]): AgentStatus => (tasks.length > 0 ? 'BUSY' : 'IDLE');

export function evolve(state: AgentState, event: AgentEvent, meta: EventMeta): AgentState {
  if (event.type === 'orchestration.agent.registered') {
    const { agentId, ...d } = event.data;
    return { id: agentId, ...d, status: 'IDLE', tasks: [], lastAssignedAt: null, registeredAt: meta.occurredAt, spawned: false, pid: null, version: meta.version };
  }
  if (!state) return state;
  const next = { ...state, version: meta.version };
  switch (event.type) {
    case 'orchestration.agent.spawned':
      return { ...next, spawned: true, pid: event.data.pid };
    case 'orchestration.agent.exited':
      return { ...next, pid: null };
    case 'orchestration.agent.stale':
      return { ...next, status: 'STALE' };
    case 'orchestration.agent.lost':
      return { ...next, status: 'LOST', tasks: [] };
    case 'orchestration.agent.recovered':
      return { ...next, status: busyOrIdle(state.tasks) };
    case 'orchestration.agent.terminated':
      return { ...next, status: 'TERMINATED', tasks: [] };
    case 'orchestration.agent.task_assigned': {
      const { agentId: _, ...held } = event.data;
      const tasks = [...state.tasks, { ...held, assignedAt: meta.occurredAt }];
      return { ...next, tasks, status: AVAILABLE.includes(state.status) ? busyOrIdle(tasks) : state.status, lastAssignedAt: meta.occurredAt };
    }
    case 'orchestration.agent.task_released': {
      const tasks = state.tasks.filter((t) => t.taskCode !== event.data.taskCode);
      return { ...next, tasks, status: AVAILABLE.includes(state.status) ? busyOrIdle(tasks) : state.status };
    }
    default: {
      const never: never = event;
      return never;
    }
  }
}

export function decide(command: AgentCommand, state: AgentState): AgentEvent[] {
  if (command.type === 'RegisterAgent') {
    if (state) throw new ConflictError('AGENT.EXISTS', `Agent ${command.id} is registered already`);
    return [{ type: 'orchestration.agent.registered', data: { agentId: command.id, ...command.registration } }];
  }
  if (!state) throw new NotFoundError('AGENT.NOT_FOUND', `Agent ${command.id} does not exist`);
  const agentId = state.id;
  switch (command.type) {
    case 'RecordSpawn':
      return [{ type: 'orchestration.agent.spawned', data: { agentId, pid: command.pid, command: command.command } }];
    case 'RecordExit':
      return [{ type: 'orchestration.agent.exited', data: { agentId, code: command.code, signal: command.signal } }];
    case 'MarkStale':
      return AVAILABLE.includes(state.status) ? [{ type: 'orchestration.agent.stale', data: { agentId, lastHeartbeatAt: command.lastHeartbeatAt } }] : [];
    case 'MarkLost':
      if (state.status === 'LOST' || state.status === 'TERMINATED') return [];
      return [{ type: 'orchestration.agent.lost', data: { agentId, name: state.name, type: state.type, taskCodes: state.tasks.map((t) => t.taskCode) } }];
    case 'Recover':
      if (state.status === 'TERMINATED') throw new ConflictError('AGENT.TERMINATED', `Agent ${agentId} was terminated; register a new one`);
      return state.status === 'STALE' || state.status === 'LOST' ? [{ type: 'orchestration.agent.recovered', data: { agentId, from: state.status } }] : [];
    case 'Terminate':
      return state.status === 'TERMINATED' ? [] : [{ type: 'orchestration.agent.terminated', data: { agentId, reason: command.reason, taskCodes: state.tasks.map((t) => t.taskCode) } }];
    case 'AssignTask': {
      if (state.tasks.some((t) => t.taskCode === command.task.taskCode)) return [];
      if (!AVAILABLE.includes(state.status)) throw new ConflictError('AGENT.UNAVAILABLE', `Agent ${agentId} is ${state.status}`, { status: state.status });
      if (state.tasks.length >= state.maxLoad) throw new ConflictError('AGENT.FULL', `Agent ${agentId} holds ${state.tasks.length} of ${state.maxLoad} tasks`);
      return [{ type: 'orchestration.agent.task_assigned', data: { agentId, ...command.task } }];
    }
    case 'ReleaseTask':
      return state.tasks.some((t) => t.taskCode === command.taskCode) ? [{ type: 'orchestration.agent.task_released', data: { agentId, taskCode: command.taskCode, reason: command.reason } }] : [];
    default: {
      const never: never = command;
      return never;
    }
  }
}

export const AgentAggregate: AggregateDefinition<AgentState, AgentEvent> = {
  type: 'agent',
  initialState,
  evolve,
  eventSchema: AgentEvent,
};

/** The API's view of an agent's state (heartbeat fields are added from Redis by whoever has them). */
export function agentView(a: Agent): AgentView {
  return {
    id: a.id,
    name: a.name,
    type: a.type,
    capabilities: a.capabilities,
    status: a.status,
    load: a.tasks.length,
    maxLoad: a.maxLoad,
    priority: a.priority,
    permission: a.permission,
    lastHeartbeatAt: null,
    progress: null,
    lastAssignedAt: a.lastAssignedAt,
    costPerHour: a.costPerHour,
    taskCodes: a.tasks.map((t) => t.taskCode),
    unknownCapabilities: a.unknownCapabilities,
    spawned: a.spawned,
    registeredAt: a.registeredAt,
    version: a.version,
  };
}
