import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { RegisteredAgent, SpawnAgentBody, SpawnedAgent, Subjects } from '@orch/contracts';
import { ConflictError, RuleViolation } from '@orch/errors';
import type { CommandMeta } from '@orch/event-store';
import { LOGGER, NATS, SUBJECTS } from '@orch/service-kit';
import { AgentRepository } from '../agents/agent.repository';
import { AgentRegistry, systemMeta } from '../agents/registry';
import { Allocator, allocationIdFor } from '../resources/allocator';
import type { AgentManagerSettings } from '../config/settings';
import { SETTINGS } from '../tokens';

/**
 * Starts a type's configured command as a child process with its id, the gateway URL and its own
 * key in the environment; records its exit (code, signal); on terminate sends SIGTERM, then
 * SIGKILL after the grace period. The child belongs to the instance that started it, so a
 * terminate that lands elsewhere is broadcast to every instance.
 */
@Injectable()
export class Spawner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly children = new Map<string, ChildProcess>();
  /** Exit records still being written: shutdown waits for them, so they are not cut off by closing connections. */
  private readonly recording = new Set<Promise<unknown>>();
  private sub: Subscription | null = null;

  constructor(
    private readonly registry: AgentRegistry,
    private readonly allocator: Allocator,
    private readonly agents: AgentRepository,
    @Inject(NATS) private readonly nc: NatsConnection,
    @Inject(SUBJECTS) private readonly subjects: Subjects,
    @Inject(SETTINGS) private readonly settings: AgentManagerSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.sub = this.nc.subscribe(this.subjects.control('agent-manager', 'kill.*'), {
      callback: (_e, msg) => void this.stopChild(msg.subject.slice(msg.subject.lastIndexOf('.') + 1)),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.sub?.unsubscribe();
    await Promise.all([...this.children.keys()].map((id) => this.stopChild(id)));
    await Promise.all([...this.recording]);
  }

  async spawn(body: SpawnAgentBody, meta: CommandMeta): Promise<{ reply: SpawnedAgent; seq: number }> {
    const spec = this.registry.typeOf(body.type);
    if (!spec.command) {
      throw new RuleViolation('AGENT.NO_COMMAND', `Agent type ${body.type} has no command to spawn`, [{ kind: 'field', name: `types.${body.type}.command`, hint: 'add a command to config/agents.yaml' }]);
    }
    // A slot on a host first: a spawn that does not fit is refused before anything is written.
    const slot = await this.allocator.reserve({ allocationId: allocationIdFor(meta.commandId), agentType: body.type, priority: spec.priority, sprintCode: body.sprintCode ?? null, need: spec.resources }, meta);
    const placement = { allocationId: slot.allocationId, hostId: slot.hostId, need: slot.need };
    const giveBack = (reason: string) => this.allocator.release(slot.allocationId, reason).catch(() => undefined);
    let reply: RegisteredAgent;
    try {
      ({ reply } = await this.registry.register({ name: body.name ?? `${body.type} (spawned)`, type: body.type }, meta));
    } catch (error) {
      await giveBack('the spawn failed before its agent started');
      throw error;
    }
    const id = reply.agent.id;
    if (slot.agentId === id || reply.agent.spawned) {
      if (slot.agentId !== id) await giveBack(`a retried spawn of agent ${id}`);
      return this.alreadySpawned(reply, placement);
    }
    await this.allocator.bind(slot.allocationId, id, meta).catch(async (error: unknown) => {
      await giveBack('the spawn failed before its agent started');
      throw error;
    });
    const [cmd, ...args] = spec.command;
    const child = spawn(cmd!, args, {
      env: { ...process.env, ORCH_URL: this.settings.orchUrl, ORCH_API_KEY: reply.apiKey, ORCH_AGENT_ID: id, ORCH_RESOURCE_HOST: slot.hostId },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('spawn', () => resolve(child.pid!));
      child.once('error', reject);
    }).catch(async (error: Error) => {
      await this.registry.execute({ type: 'RecordExit', id, code: null, signal: null });
      await this.allocator.release(slot.allocationId, 'the process did not start').catch(() => undefined);
      throw new RuleViolation('AGENT.SPAWN_FAILED', `Could not start ${spec.command!.join(' ')}: ${error.message}`);
    });
    this.children.set(id, child);
    const log = this.logger.child({ agentId: id, pid });
    child.stdout!.on('data', (b: Buffer) => log.info({ out: b.toString().trimEnd().slice(0, 2000) }, 'agent output'));
    child.stderr!.on('data', (b: Buffer) => log.warn({ err: b.toString().trimEnd().slice(0, 2000) }, 'agent stderr'));
    child.once('exit', (code, signal) => {
      this.children.delete(id);
      log.info({ code, signal }, 'agent process exited');
      const recorded = this.registry
        .execute({ type: 'RecordExit', id, code, signal }, systemMeta(`exit-${id}-${pid}`))
        .catch((e) => log.warn({ err: e }, 'could not record exit'))
        .finally(() => this.recording.delete(recorded));
      this.recording.add(recorded);
    });
    const spawned = await this.registry.execute({ type: 'RecordSpawn', id, pid, command: spec.command.join(' ') }, systemMeta(randomUUID()));
    return { reply: { ...reply, agent: this.registry.view(spawned.state!), pid, placement }, seq: spawned.seq };
  }

  /** A retried spawn (same Idempotency-Key) whose agent runs already: its answer again, no second process. */
  private async alreadySpawned(reply: RegisteredAgent, placement: SpawnedAgent['placement']): Promise<{ reply: SpawnedAgent; seq: number }> {
    const { state, lastSeq } = await this.agents.load(reply.agent.id);
    if (!state?.pid) throw new ConflictError('AGENT.ALREADY_SPAWNED', `This request spawned agent ${reply.agent.id} already; its process is no longer running`);
    return { reply: { ...reply, agent: this.registry.view(state), pid: state.pid, placement }, seq: lastSeq };
  }

  /** Broadcast: whichever instance owns the process stops it. */
  kill(agentId: string): void {
    this.nc.publish(this.subjects.control('agent-manager', `kill.${agentId}`));
  }

  private async stopChild(id: string): Promise<void> {
    const child = this.children.get(id);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), this.settings.killGraceMs);
    await exited;
    clearTimeout(timer);
  }
}
