import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DeliverPolicy, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { AgentEvent, type AgentView, type StoredCommit } from '@orch/contracts';
import { decodeCommit, PoisonCommitError } from '@orch/event-store';
import { CHECKPOINT_TABLE } from '@orch/projections';
import { DATA_SOURCE, INFRA, LOGGER, type Infrastructure } from '@orch/service-kit';
import { agentView, AVAILABLE, evolve, type Agent } from '../agents/agent';
import { AgentRepository } from '../agents/agent.repository';
import { agentProjection } from './agent.projection';
import { agentFromRow, type AgentRow } from './agent-read-model';

/**
 * Every agent's state in memory, so that picking the candidates for a READY task costs no round
 * trip (it is on the dispatch path, which the agents feel as latency). Seeded from the read model
 * (its rows and its checkpoint from one snapshot), then kept current by a tail of the agent events
 * from that checkpoint on, folded by the aggregate's own `evolve`. Events a seeded row already holds
 * are skipped by version; a gap, which a consistent seed never leaves, reloads that agent from the
 * log. Being a moment behind is harmless: the aggregate refuses an agent that is full or gone, and
 * the assigner moves on to the next one.
 */
@Injectable()
export class AgentRoster implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly agents = new Map<string, Agent>();
  /** Task code → the agents whose state holds it. */
  private readonly holders = new Map<string, Set<string>>();
  private started: Promise<void> | null = null;
  private messages: ConsumerMessages | null = null;
  /** Stream sequence of the last message the tail saw: where it goes on if it has to start again. */
  private position = 0;
  private stopping = false;
  /** Agents being reloaded after a gap → whether an event for them was dropped meanwhile. */
  private readonly reloading = new Map<string, boolean>();

  constructor(
    @Inject(INFRA) private readonly infra: Infrastructure,
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    private readonly repository: AgentRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return (this.started ??= this.start());
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.started?.catch(() => undefined);
    await this.messages?.close().catch(() => undefined);
  }

  /** Agents that take work (IDLE or BUSY, below maxLoad). */
  async available(): Promise<AgentView[]> {
    await (this.started ??= this.start());
    const views: AgentView[] = [];
    for (const agent of this.agents.values()) {
      if (AVAILABLE.includes(agent.status) && agent.tasks.length < agent.maxLoad) views.push(agentView(agent));
    }
    return views;
  }

  /** The agents whose state holds the task (as far as the log has been followed). */
  async holdersOf(taskCode: string): Promise<string[]> {
    await (this.started ??= this.start());
    return [...(this.holders.get(taskCode) ?? [])];
  }

  /** A state this instance just wrote: ahead of the tail for a moment, never behind it. */
  observe(agent: Agent): void {
    const known = this.agents.get(agent.id);
    if (!known || known.version < agent.version) this.put(agent);
  }

  private put(agent: Agent): void {
    for (const t of this.agents.get(agent.id)?.tasks ?? []) {
      const set = this.holders.get(t.taskCode);
      set?.delete(agent.id);
      if (set?.size === 0) this.holders.delete(t.taskCode);
    }
    this.agents.set(agent.id, agent);
    for (const t of agent.tasks) {
      const set = this.holders.get(t.taskCode) ?? new Set<string>();
      set.add(agent.id);
      this.holders.set(t.taskCode, set);
    }
  }

  private async start(): Promise<void> {
    const { from, agents } = await this.seed();
    for (const agent of agents) this.put(agent);
    this.position = from;
    await this.follow();
  }

  /**
   * The ordered consumer recreates itself after a gap or a reconnect; should it end all the same,
   * a roster that silently stopped would hide every new agent from assignment, so it starts again
   * from the last message it saw.
   */
  private async follow(): Promise<void> {
    const { js, config, subjects } = this.infra;
    const consumer = await js.consumers.get(config.NATS_STREAM, {
      filter_subjects: `${subjects.prefix}.evt.agent.>`,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: this.position + 1,
    });
    const messages = await consumer.consume({
      callback: (msg) => {
        this.position = msg.seq;
        this.onMessage(msg);
      },
    });
    this.messages = messages;
    void messages.closed().then(() => this.followAgain());
  }

  private followAgain(): void {
    if (this.stopping) return;
    this.logger.warn({ from: this.position + 1 }, 'agent roster: the tail of the log ended; following it again');
    setTimeout(() => {
      if (this.stopping) return;
      this.follow().catch((error) => {
        this.logger.warn({ err: error }, 'agent roster: cannot follow the log now; retrying');
        this.followAgain();
      });
    }, 1_000).unref();
  }

  /** Rows and checkpoint in one snapshot: the tail starts exactly where the rows end. */
  private seed(): Promise<{ from: number; agents: Agent[] }> {
    return this.ds.transaction('REPEATABLE READ', async (tx) => {
      const rows: AgentRow[] = await tx.query('SELECT * FROM orchestration_agents');
      const [checkpoint]: Array<{ position: string }> = await tx.query(`SELECT position FROM ${CHECKPOINT_TABLE} WHERE name = $1`, [agentProjection.name]);
      return { from: Number(checkpoint?.position ?? 0), agents: rows.map(agentFromRow) };
    });
  }

  private onMessage(msg: JsMsg): void {
    let commit: StoredCommit;
    try {
      commit = decodeCommit({ seq: msg.seq, subject: msg.subject, data: msg.data });
    } catch (error) {
      if (error instanceof PoisonCommitError) return; // the projection dead-letters it; nothing to fold here
      throw error;
    }
    for (const env of commit.events) {
      const parsed = AgentEvent.safeParse(env);
      if (!parsed.success) continue;
      const id = env.aggregateId;
      const known = this.agents.get(id) ?? null;
      if (known && env.version <= known.version) continue; // already folded (seed or own write)
      if (this.reloading.has(id)) {
        this.reloading.set(id, true);
        continue;
      }
      const expected = (known?.version ?? 0) + 1;
      if (env.version !== expected) {
        void this.reload(id);
        continue;
      }
      const next = evolve(known, parsed.data, { occurredAt: env.occurredAt, version: env.version, actor: env.actor });
      if (next) this.put(next);
    }
  }

  private async reload(id: string): Promise<void> {
    this.reloading.set(id, false);
    try {
      for (;;) {
        const { state } = await this.repository.load(id);
        if (state) this.observe(state);
        if (!this.reloading.get(id)) return;
        this.reloading.set(id, false); // an event arrived meanwhile: read again to include it
      }
    } catch (error) {
      this.logger.warn({ err: error, agent: id }, 'agent roster: reload failed; the next event retries');
    } finally {
      this.reloading.delete(id);
    }
  }
}
