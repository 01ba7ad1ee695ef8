import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { agentApiKey, type AgentView, type HeartbeatBody, type HeartbeatReply, type ListAgentsQuery, type RegisterAgentBody, type RegisteredAgent } from '@orch/contracts';
import { NotFoundError, RuleViolation, ConflictError } from '@orch/errors';
import type { CommandMeta, ExecuteResult } from '@orch/event-store';
import type { AgentTypes, AgentTypeSpec } from '../config/agent-types';
import type { AgentManagerSettings } from '../config/settings';
import { TypeQuota } from '../assignment/type-quota';
import { LivenessStore } from '../liveness/liveness-store';
import { AgentReadModel } from '../read-model/agent-read-model';
import { AGENT_TYPES, SETTINGS } from '../tokens';
import { agentView, decide, type AgentCommand, type AgentState } from './agent';
import { AgentRepository } from './agent.repository';

/** The agent manager acting on its own (sweeper, assigner): a system actor with a fresh command id. */
export function systemMeta(commandId: string = randomUUID()): CommandMeta {
  return { actor: { kind: 'system', id: 'agent-manager' }, commandId, issuedAt: new Date().toISOString(), correlationId: commandId };
}

/** How many held tasks these events gave back (each frees a slot of the type's quota). */
function releasedBy(events: Array<{ type: string; data: Record<string, unknown> }>): number {
  let n = 0;
  for (const e of events) {
    if (e.type === 'orchestration.agent.task_released') n++;
    else if (e.type === 'orchestration.agent.lost' || e.type === 'orchestration.agent.terminated') n += (e.data.taskCodes as string[]).length;
  }
  return n;
}

/** Liveness transitions do not depend on what the caller saw: lost races are decided again. */
const RETRY = { maxAttempts: 20 };

/**
 * Register, get, list, terminate, heartbeat, and the liveness transitions the sweeper asks for.
 * The aggregate decides; Redis keeps the high-frequency part (beats and a status cache).
 */
@Injectable()
export class AgentRegistry {
  constructor(
    private readonly agents: AgentRepository,
    private readonly readModel: AgentReadModel,
    private readonly liveness: LivenessStore,
    private readonly quota: TypeQuota,
    @Inject(AGENT_TYPES) private readonly types: AgentTypes,
    @Inject(SETTINGS) private readonly settings: AgentManagerSettings,
  ) {}

  typeOf(type: string): AgentTypeSpec {
    const spec = this.types.get(type);
    if (!spec) {
      throw new RuleViolation('AGENT.UNKNOWN_TYPE', `Agent type ${type} is not configured (known: ${this.types.names().join(', ')})`, [
        { kind: 'field', name: 'type', hint: `one of ${this.types.names().join(', ')} (${this.types.source})` },
      ]);
    }
    return spec;
  }

  timeouts(type: string): { staleAfterMs: number; lostAfterMs: number } {
    const spec = this.types.get(type);
    return { staleAfterMs: this.settings.staleAfterMs ?? spec?.staleAfterMs ?? 60_000, lostAfterMs: this.settings.lostAfterMs ?? spec?.lostAfterMs ?? 300_000 };
  }

  timeoutsOfAll(): Array<{ staleAfterMs: number; lostAfterMs: number }> {
    return this.types.names().map((t) => this.timeouts(t));
  }

  /** Beat keys must outlive every type's lost timeout. */
  longestLostMs(): number {
    return Math.max(...this.types.names().map((t) => this.timeouts(t).lostAfterMs));
  }

  async register(body: RegisterAgentBody, meta: CommandMeta): Promise<{ reply: RegisteredAgent; seq: number }> {
    const spec = this.typeOf(body.type);
    const capabilities = [...new Set(body.capabilities ?? spec.capabilities)];
    const unknownCapabilities = this.types.unknown(capabilities);
    // The id derives from the command id, so a retried registration finds its first result.
    const id = `${body.type}-${meta.commandId.replace(/[^A-Za-z0-9]/g, '').slice(0, 12) || randomBytes(6).toString('hex')}`;
    const registration = {
      name: body.name,
      type: body.type,
      capabilities,
      unknownCapabilities,
      maxLoad: body.maxLoad ?? spec.maxLoad,
      priority: body.priority ?? spec.priority,
      permission: body.permission ?? spec.permission,
      costPerHour: spec.costPerHour,
    };
    const result = await this.agents.execute(id, meta, (s) => decide({ type: 'RegisterAgent', id, registration }, s), { expectNew: true });
    await this.liveness.register(id, result.state!.status, Date.now(), body.type);
    const warnings = unknownCapabilities.map((c) => `capability ${c} is not in the catalogue (allowed; matching only finds it if a task asks for it by this name)`);
    return { reply: { agent: this.view(result.state!), apiKey: agentApiKey(id, this.settings.keySecret), warnings }, seq: result.seq };
  }

  async execute(command: AgentCommand, meta: CommandMeta = systemMeta()): Promise<ExecuteResult<AgentState>> {
    const retry = command.type === 'AssignTask' ? { maxAttempts: 10 } : RETRY;
    const result = await this.agents.execute(command.id, meta, (s) => decide(command, s), retry);
    if (result.events.length > 0 && result.state) {
      // On the assignment's hot path the status cache is written without waiting (one connection keeps the order).
      const cached = this.liveness.setStatus(command.id, result.state.status);
      if (command.type === 'AssignTask') cached.catch(() => undefined);
      else await cached;
      if (!result.duplicate) await this.quota.give(result.state.type, releasedBy(result.events));
    }
    return result;
  }

  async terminate(id: string, reason: string | null, meta: CommandMeta): Promise<{ view: AgentView; seq: number }> {
    const result = await this.execute({ type: 'Terminate', id, reason }, meta);
    return { view: this.view(result.state!), seq: result.seq };
  }

  async heartbeat(id: string, beat: HeartbeatBody): Promise<HeartbeatReply> {
    const now = Date.now();
    let status = await this.liveness.beat(id, now, beat.load ?? null, beat.progress ?? null, this.longestLostMs());
    if (status === null) {
      // Not cached (Redis was flushed, or never registered): the log decides.
      const agent = (await this.agents.load(id)).state;
      if (!agent) throw new NotFoundError('AGENT.NOT_FOUND', `Agent ${id} does not exist`);
      await this.liveness.register(id, agent.status, now, agent.type);
      status = await this.liveness.beat(id, now, beat.load ?? null, beat.progress ?? null, this.timeouts(agent.type).lostAfterMs);
    }
    if (status === 'TERMINATED') throw new ConflictError('AGENT.TERMINATED', `Agent ${id} was terminated; register a new one`);
    if (status === 'STALE' || status === 'LOST') status = (await this.execute({ type: 'Recover', id })).state!.status;
    return { id, status: status!, load: beat.load ?? 0, at: new Date(now).toISOString() };
  }

  async get(id: string): Promise<AgentView> {
    const agent = (await this.agents.load(id)).state;
    if (!agent) throw new NotFoundError('AGENT.NOT_FOUND', `Agent ${id} does not exist`);
    return (await this.withBeats([this.view(agent)]))[0]!;
  }

  async list(q: Partial<ListAgentsQuery>): Promise<AgentView[]> {
    const views = await this.withBeats(await this.readModel.list(q));
    // The status cache may be a step ahead of the read model: filter on what the answer shows.
    return q.status ? views.filter((v) => v.status === q.status) : views;
  }

  /** Heartbeat times and reported load come from Redis; load is what the agent holds or says, whichever is more. */
  async withBeats(views: AgentView[]): Promise<AgentView[]> {
    const beats = await this.liveness.lastBeats(views.map((v) => v.id));
    return views.map((v) => {
      const b = beats.get(v.id);
      return b ? { ...v, status: b.status ?? v.status, lastHeartbeatAt: new Date(b.at).toISOString(), progress: b.progress, load: Math.max(v.load, b.load ?? 0) } : v;
    });
  }

  view(a: NonNullable<AgentState>): AgentView {
    return agentView(a);
  }

}
