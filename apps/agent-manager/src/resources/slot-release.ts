import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import type { StoredCommit } from '@orch/contracts';
import { INFRA, LOGGER, type Infrastructure } from '@orch/service-kit';
import { AgentRepository } from '../agents/agent.repository';
import { WorkConsumer } from '../assignment/work-consumer';
import { LivenessStore } from '../liveness/liveness-store';
import { Allocator } from './allocator';

/** How often the pool is checked against the agents (a safety net: events release slots at once). */
const RECONCILE_MS = 30_000;
/** A reservation whose agent has not started after this long belongs to a spawn that died midway. */
const STARTUP_GRACE_MS = 60_000;

/**
 * Gives slots back: when an agent's exit or termination reaches the log (a durable consumer, so
 * an exit recorded while no instance was running is still seen), and, now and then, for
 * reservations whose spawn never finished (the instance died between reserving and starting).
 */
@Injectable()
export class SlotRelease implements OnApplicationBootstrap, OnApplicationShutdown {
  private consumer: WorkConsumer | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(INFRA) private readonly infra: Infrastructure,
    private readonly allocator: Allocator,
    private readonly agents: AgentRepository,
    private readonly liveness: LivenessStore,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { js, jsm, subjects, config } = this.infra;
    this.consumer = new WorkConsumer({
      js, jsm, stream: config.NATS_STREAM, subjects, logger: this.logger,
      durable: 'agent-manager-resources', filter: `${subjects.prefix}.evt.agent.>`, concurrency: 4,
      handle: (c) => this.onAgentCommit(c),
    });
    await this.consumer.start();
    this.timer = setInterval(() => void this.reconcile().catch((e) => this.logger.warn({ err: e }, 'resource reconcile failed')), RECONCILE_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.consumer?.stop();
  }

  private async onAgentCommit(commit: StoredCommit): Promise<void> {
    for (const e of commit.events) {
      if (e.type === 'orchestration.agent.exited') await this.allocator.releaseAgent(e.aggregateId, `agent ${e.aggregateId} exited`);
      else if (e.type === 'orchestration.agent.terminated') await this.allocator.releaseAgent(e.aggregateId, `agent ${e.aggregateId} was terminated`);
    }
  }

  /** Releases what nothing holds any more. One instance at a time; the lock expires if it dies. */
  async reconcile(now = Date.now()): Promise<number> {
    if (!(await this.liveness.lock('reconcile-slots', RECONCILE_MS))) return 0;
    let released = 0;
    try {
      const { state } = await this.allocator.state();
      for (const a of Object.values(state.allocations)) {
        const young = now - Date.parse(a.allocatedAt) < STARTUP_GRACE_MS;
        const agent = a.agentId ? (await this.agents.load(a.agentId)).state : null;
        let reason: string | null = null;
        if (!a.agentId) reason = young ? null : 'the spawn never registered its agent';
        else if (!agent) reason = young ? null : `agent ${a.agentId} does not exist`;
        else if (agent.status === 'TERMINATED') reason = `agent ${a.agentId} was terminated`;
        else if (agent.spawned && agent.pid === null) reason = `agent ${a.agentId} exited`;
        else if (!agent.spawned && !young) reason = `agent ${a.agentId} never started`;
        if (reason) {
          await this.allocator.release(a.allocationId, reason);
          released++;
        }
      }
    } finally {
      await this.liveness.unlock('reconcile-slots');
    }
    return released;
  }
}
