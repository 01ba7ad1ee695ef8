/**
 * Session logs benchmark (issue 12): log ingestion through the gateway, `POST /sessions/:key/logs`
 * in batches of 500 lines, for BENCH_LOGS_SECONDS at BENCH_LOGS_CONCURRENCY requests in flight.
 * Target: ≥ 20,000 lines/s. Starts its own planner, session service and gateway (own stream,
 * schema, Redis prefix, port), so it runs alone (`node dist/bench/logs.js`) or from `npm run bench`.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { Pool } from 'undici';
import { Subjects } from '@orch/contracts';
import { ServiceProcesses } from './services';
import { percentile, round } from './stats';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PORT = Number(process.env.BENCH_LOGS_PORT ?? 3925);
const SECONDS = Number(process.env.BENCH_LOGS_SECONDS ?? 15);
const CONCURRENCY = Number(process.env.BENCH_LOGS_CONCURRENCY ?? 8);
const BATCH = 500;
const TARGET_LINES_PER_SECOND = 20_000;
const KEY = 'dev-agent-key';

type Http = Pool;

const LEVELS = ['debug', 'info', 'info', 'info', 'warn', 'error'] as const;
const SOURCES = ['agent', 'agent', 'task', 'orchestrator', 'system'] as const;

/** A batch shaped like an agent's output: ~100-byte messages, some with context, one in a hundred with a secret to redact. */
function batch(n: number): string {
  const lines = Array.from({ length: BATCH }, (_, i) => {
    const k = n * BATCH + i;
    const message =
      k % 100 === 0
        ? `git push https://x-access-token:ghp_${String(k).padStart(36, '0')}@github.com/acme/app.git`
        : `step ${k}: compiled src/module${k % 40}.ts in ${k % 900} ms, ${k % 7} warnings, cache ${k % 3 ? 'hit' : 'miss'}`;
    return { level: LEVELS[k % LEVELS.length], source: SOURCES[k % SOURCES.length], message, ...(k % 10 === 0 ? { context: { file: `src/module${k % 40}.ts`, attempt: k % 4 } } : {}) };
  });
  return JSON.stringify({ lines });
}

async function call(http: Http, method: 'GET' | 'POST', path: string, body?: string, key = KEY): Promise<any> {
  const res = await http.request({ method, path, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

async function waitReady(http: Http, prefix: string, services: string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  const nc = await connect({ servers: NATS_URL });
  const subjects = new Subjects(prefix);
  try {
    for (;;) {
      const up = await Promise.all(services.map((s) => nc.request(subjects.health(s), new Uint8Array(), { timeout: 1_000 }).then(() => true, () => false)));
      const gw = await http.request({ method: 'GET', path: '/health' }).then((r) => r.body.text().then(() => r.statusCode === 200), () => false);
      if (gw && up.every(Boolean)) return;
      if (Date.now() > deadline) throw new Error('logs bench: services did not become ready within 60 s');
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await nc.close();
  }
}

/** Posts batches with `CONCURRENCY` in flight for `seconds`; answers lines/s and request latencies. */
async function ingest(http: Http, path: string, seconds: number, bodies: string[]) {
  const until = performance.now() + seconds * 1000;
  const ms: number[] = [];
  let batches = 0;
  let failed = 0;
  let redactions = 0;
  let i = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) {
        const t = performance.now();
        await call(http, 'POST', path, bodies[i++ % bodies.length]).then(
          (r: { accepted: number; redactions: number }) => {
            ms.push(performance.now() - t);
            batches++;
            redactions += r.redactions;
          },
          () => failed++,
        );
      }
    }),
  );
  const elapsed = performance.now() - started;
  return { linesPerSecond: Math.round((batches * BATCH * 1000) / elapsed), batches, lines: batches * BATCH, failed, redactions, requestMs: { p50: round(percentile(ms, 50)), p95: round(percentile(ms, 95)), p99: round(percentile(ms, 99)) } };
}

export async function logsBench(distRoot: string) {
  const token = randomUUID().slice(0, 8);
  const env = {
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    NATS_URL,
    NATS_STREAM: `BENCH_L_${token}`,
    NATS_SUBJECT_PREFIX: `bl${token}`,
    DATABASE_URL,
    DB_SCHEMA: `bench_l_${token}`,
    REDIS_PREFIX: `bench:l:${token}:`,
    GATEWAY_PORT: String(PORT),
    ORCH_API_KEYS: '',
    // Throughput is measured here, not the limiter.
    RATE_LIMITS: 'off',
  };
  const apps = ['planner', 'session-service'];
  const services = new ServiceProcesses(distRoot, env);
  const http = new Pool(`http://127.0.0.1:${PORT}`, { connections: CONCURRENCY });
  try {
    for (const app of [...apps, 'gateway']) services.start(app);
    await waitReady(http, env.NATS_SUBJECT_PREFIX, apps);
    await call(http, 'POST', '/api/v1/tasks', JSON.stringify({ code: 'TSK-LOGS', title: 'A chatty agent' }), 'dev-admin-key');
    const key: string = (await call(http, 'POST', '/api/v1/sessions', JSON.stringify({ taskCode: 'TSK-LOGS' }))).session.sessionKey;
    const path = `/api/v1/sessions/${key}/logs`;
    const bodies = Array.from({ length: 20 }, (_, n) => batch(n));
    await ingest(http, path, 3, bodies); // warm-up: JIT, pools, caches
    const before = (await call(http, 'GET', `${path}/stats`)).total as number;
    const run = await ingest(http, path, SECONDS, bodies);
    const stored = ((await call(http, 'GET', `${path}/stats`)).total as number) - before;
    const bytesPerBatch = Buffer.byteLength(bodies[0]!);
    process.stdout.write(
      `  POST /sessions/:key/logs (batches of ${BATCH}, ${CONCURRENCY} in flight): ${run.linesPerSecond} lines/s (target ≥ ${TARGET_LINES_PER_SECOND}), ` +
        `request p50 ${run.requestMs.p50} ms, p95 ${run.requestMs.p95} ms; ${run.lines} lines acknowledged, ${stored} stored, ${run.failed} failed\n`,
    );
    if (stored !== run.lines) throw new Error(`logs bench: ${run.lines} lines acknowledged but ${stored} stored`);
    return { batch: BATCH, concurrency: CONCURRENCY, seconds: SECONDS, bytesPerBatch, target: TARGET_LINES_PER_SECOND, met: run.linesPerSecond >= TARGET_LINES_PER_SECOND, stored, ...run };
  } finally {
    await http.close();
    await services.stop();
    const pg = new Client({ connectionString: DATABASE_URL });
    await pg.connect();
    await pg.query(`DROP SCHEMA IF EXISTS "${env.DB_SCHEMA}" CASCADE`).catch(() => undefined);
    await pg.end();
    const nc = await connect({ servers: NATS_URL });
    const jsm = await jetstreamManager(nc);
    for (const s of [env.NATS_STREAM, `${env.NATS_STREAM}_DLQ`, `${env.NATS_STREAM}_LOGS`]) await jsm.streams.delete(s).catch(() => undefined);
    await nc.close();
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const keys = await redis.keys(`${env.REDIS_PREFIX}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
}

if (require.main === module) {
  logsBench(join(__dirname, '..')).then(
    (r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`),
    (e) => {
      process.stderr.write(`${(e as Error).stack}\n`);
      process.exitCode = 1;
    },
  );
}
