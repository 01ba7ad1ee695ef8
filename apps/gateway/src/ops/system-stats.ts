import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { z } from 'zod';
import type { GatewayConfig } from '@orch/config';
import { PROJECTION_OWNERS } from '@orch/contracts';
import type { GatewayDependencies } from './dependencies';

export const SystemStats = z.object({
  at: z.string(),
  stream: z.object({ name: z.string(), messages: z.number(), bytes: z.number(), firstSeq: z.number(), lastSeq: z.number(), consumers: z.number() }),
  projections: z.array(z.object({ name: z.string(), owner: z.string().nullable(), position: z.number(), lag: z.number(), updatedAt: z.string() })),
  consumers: z.array(z.object({ name: z.string(), pending: z.number(), ackPending: z.number(), redelivered: z.number() })),
  deadLetters: z.object({ stream: z.string(), messages: z.number() }),
  webhookDeliveries: z.record(z.string(), z.number()),
});
export type SystemStats = z.infer<typeof SystemStats>;

/**
 * What an operator asks first ("is anything behind or stuck?"), read straight from the sources:
 * the stream and its consumers from JetStream, checkpoints and delivery states from Postgres.
 * Cached for a second, so a dashboard polling `/stats` and Prometheus scraping `/metrics` at once
 * cost one round of queries.
 */
export class SystemStatsReader {
  private jsm?: Promise<JetStreamManager>;
  private cached?: { at: number; value: Promise<SystemStats> };

  constructor(
    private readonly deps: GatewayDependencies,
    private readonly config: Pick<GatewayConfig, 'NATS_STREAM' | 'DB_SCHEMA'>,
  ) {}

  read(): Promise<SystemStats> {
    if (this.cached && Date.now() - this.cached.at < 1_000) return this.cached.value;
    const value = this.collect();
    this.cached = { at: Date.now(), value };
    value.catch(() => (this.cached = undefined));
    return value;
  }

  private async collect(): Promise<SystemStats> {
    const jsm = await (this.jsm ??= jetstreamManager(this.deps.nc));
    const name = this.config.NATS_STREAM;
    const info = await jsm.streams.info(name);
    const consumers = [];
    for await (const c of jsm.consumers.list(name)) {
      consumers.push({ name: c.name, pending: c.num_pending, ackPending: c.num_ack_pending, redelivered: c.num_redelivered });
    }
    const dlq = await jsm.streams.info(`${name}_DLQ`).catch(() => undefined);
    const lastSeq = info.state.last_seq;
    return {
      at: new Date().toISOString(),
      stream: { name, messages: info.state.messages, bytes: info.state.bytes, firstSeq: info.state.first_seq, lastSeq, consumers: info.state.consumer_count },
      projections: (await this.checkpoints()).map((p) => ({ ...p, owner: PROJECTION_OWNERS[p.name] ?? null, lag: Math.max(0, lastSeq - p.position) })),
      consumers: consumers.sort((a, b) => a.name.localeCompare(b.name)),
      deadLetters: { stream: `${name}_DLQ`, messages: dlq?.state.messages ?? 0 },
      webhookDeliveries: await this.deliveries(),
    };
  }

  /** The schema name passed the config's identifier check, so quoting it is enough. */
  private table(name: string): string {
    return `"${this.config.DB_SCHEMA}".${name}`;
  }

  private async checkpoints(): Promise<Array<{ name: string; position: number; updatedAt: string }>> {
    if (!(await this.exists('projection_checkpoints'))) return [];
    const { rows } = await this.deps.pool.query<{ name: string; position: string; updated_at: Date }>(`SELECT name, position, updated_at FROM ${this.table('projection_checkpoints')} ORDER BY name`);
    return rows.map((r) => ({ name: r.name, position: Number(r.position), updatedAt: r.updated_at.toISOString() }));
  }

  private async deliveries(): Promise<Record<string, number>> {
    if (!(await this.exists('webhook_deliveries'))) return {};
    const { rows } = await this.deps.pool.query<{ status: string; n: string }>(`SELECT status, count(*) AS n FROM ${this.table('webhook_deliveries')} GROUP BY status`);
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  private async exists(table: string): Promise<boolean> {
    const { rows } = await this.deps.pool.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [`"${this.config.DB_SCHEMA}".${table}`]);
    return rows[0]?.t != null;
  }
}
