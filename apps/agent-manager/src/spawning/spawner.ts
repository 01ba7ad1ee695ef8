import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { SpawnAgentBody, SpawnedAgent, Subjects } from '@orch/contracts';
import { RuleViolation } from '@orch/errors';
import type { CommandMeta } from '@orch/event-store';
import { LOGGER, NATS, SUBJECTS } from '@orch/service-kit';
import { AgentRegistry, systemMeta } from '../agents/registry';
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
  private sub: Subscription | null = null;

  constructor(
    private readonly registry: AgentRegistry,
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
  }

  async spawn(body: SpawnAgentBody, meta: CommandMeta): Promise<{ reply: SpawnedAgent; seq: number }> {
    const spec = this.registry.typeOf(body.type);
    if (!spec.command) {
      throw new RuleViolation('AGENT.NO_COMMAND', `Agent type ${body.type} has no command to spawn`, [{ kind: 'field', name: `types.${body.type}.command`, hint: 'add a command to config/agents.yaml' }]);
    }
    const { reply } = await this.registry.register({ name: body.name ?? `${body.type} (spawned)`, type: body.type }, meta);
    const id = reply.agent.id;
    const [cmd, ...args] = spec.command;
    const child = spawn(cmd!, args, {
      env: { ...process.env, ORCH_URL: this.settings.orchUrl, ORCH_API_KEY: reply.apiKey, ORCH_AGENT_ID: id },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('spawn', () => resolve(child.pid!));
      child.once('error', reject);
    }).catch(async (error: Error) => {
      await this.registry.execute({ type: 'RecordExit', id, code: null, signal: null });
      throw new RuleViolation('AGENT.SPAWN_FAILED', `Could not start ${spec.command!.join(' ')}: ${error.message}`);
    });
    this.children.set(id, child);
    const log = this.logger.child({ agentId: id, pid });
    child.stdout!.on('data', (b: Buffer) => log.info({ out: b.toString().trimEnd().slice(0, 2000) }, 'agent output'));
    child.stderr!.on('data', (b: Buffer) => log.warn({ err: b.toString().trimEnd().slice(0, 2000) }, 'agent stderr'));
    child.once('exit', (code, signal) => {
      this.children.delete(id);
      log.info({ code, signal }, 'agent process exited');
      void this.registry.execute({ type: 'RecordExit', id, code, signal }, systemMeta(`exit-${id}-${pid}`)).catch((e) => log.warn({ err: e }, 'could not record exit'));
    });
    const spawned = await this.registry.execute({ type: 'RecordSpawn', id, pid, command: spec.command.join(' ') }, systemMeta(randomUUID()));
    return { reply: { ...reply, agent: this.registry.view(spawned.state!), pid }, seq: spawned.seq };
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
