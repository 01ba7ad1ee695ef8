import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { Pool } from 'undici';
import { Subjects } from '@orch/contracts';
import { ServiceProcesses } from './services';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface BenchSystemOptions {
  /** Short tag for the stream, schema and Redis prefix names (e.g. `gw`). */
  tag: string;
  port: number;
  apps: string[];
  /** Connections in the shared HTTP pool. */
  connections?: number;
  env?: Record<string, string>;
}

/**
 * Real services as separate processes on their own stream, schema, Redis prefix and port, with a
 * gateway in front, for one benchmark: start, call, and clean everything away afterwards.
 */
export class BenchSystem {
  readonly http: Pool;
  readonly env: NodeJS.ProcessEnv & Record<'NATS_STREAM' | 'NATS_SUBJECT_PREFIX' | 'DB_SCHEMA' | 'REDIS_PREFIX', string>;
  private readonly services: ServiceProcesses;

  private constructor(
    private readonly opts: BenchSystemOptions,
    distRoot: string,
  ) {
    const token = randomUUID().slice(0, 8);
    this.env = {
      ...process.env,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      NATS_URL,
      NATS_STREAM: `BENCH_${opts.tag.toUpperCase()}_${token}`,
      NATS_SUBJECT_PREFIX: `b${opts.tag}${token}`,
      DATABASE_URL,
      DB_SCHEMA: `bench_${opts.tag}_${token}`,
      REDIS_URL,
      REDIS_PREFIX: `bench:${opts.tag}:${token}:`,
      GATEWAY_PORT: String(opts.port),
      ORCH_API_KEYS: '',
      // Benchmarks measure throughput and latency, not the per-key limits (tested elsewhere).
      RATE_LIMITS: 'off',
      AGENTS_CONFIG: join(distRoot, '..', 'config', 'agents.yaml'),
      ...opts.env,
    };
    this.services = new ServiceProcesses(distRoot, this.env);
    this.http = new Pool(`http://127.0.0.1:${opts.port}`, { connections: opts.connections ?? 64 });
  }

  static async start(distRoot: string, opts: BenchSystemOptions): Promise<BenchSystem> {
    const system = new BenchSystem(opts, distRoot);
    for (const app of [...opts.apps, 'gateway']) system.services.start(app);
    try {
      await system.waitReady();
    } catch (error) {
      await system.stop();
      throw error;
    }
    return system;
  }

  /** JSON in, JSON out; anything but 2xx throws with the status and the problem's start. */
  async call(method: string, path: string, body?: unknown, key = 'dev-admin-key'): Promise<any> {
    const res = await this.http.request({
      method: method as 'GET',
      path,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : null;
  }

  private async waitReady(): Promise<void> {
    const deadline = Date.now() + 60_000;
    const nc = await connect({ servers: NATS_URL });
    const subjects = new Subjects(this.env.NATS_SUBJECT_PREFIX);
    try {
      for (;;) {
        const up = await Promise.all(this.opts.apps.map((s) => nc.request(subjects.health(s), new Uint8Array(), { timeout: 1_000 }).then(() => true, () => false)));
        const gw = await this.http.request({ method: 'GET', path: '/health' }).then((r) => r.body.text().then(() => r.statusCode === 200), () => false);
        if (gw && up.every(Boolean)) return;
        if (Date.now() > deadline) throw new Error(`bench ${this.opts.tag}: ${this.opts.apps.join(', ')} and the gateway did not become ready within 60 s`);
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      await nc.close();
    }
  }

  async stop(): Promise<void> {
    await this.http.close().catch(() => undefined);
    await this.services.stop();
    const pg = new Client({ connectionString: DATABASE_URL });
    await pg.connect();
    await pg.query(`DROP SCHEMA IF EXISTS "${this.env.DB_SCHEMA}" CASCADE`).catch(() => undefined);
    await pg.end();
    const nc = await connect({ servers: NATS_URL });
    const jsm = await jetstreamManager(nc);
    for (const s of [this.env.NATS_STREAM, `${this.env.NATS_STREAM}_DLQ`]) await jsm.streams.delete(s).catch(() => undefined);
    await nc.close();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${this.env.REDIS_PREFIX}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
}
