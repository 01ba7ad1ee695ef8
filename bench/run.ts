/**
 * `npm run bench`: measures, in one run on this machine, the raw JetStream publish rate, the
 * event store's append rate (same client, payload size and concurrency), end-to-end task creation
 * through the gateway, and projection lag at a steady 1,000 commands/s. Writes bench/results/.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Client } from 'pg';
import { Pool } from 'undici';
import { Subjects } from '@orch/contracts';
import { ensureEventStream, EventStore } from '@orch/event-store';
import { percentile, round, throughput } from './stats';
import { fingerprintRate, postBugLatency } from './bugs';
import { planBench } from './plans';
import { webhookLatency } from './webhooks';
import { ServiceProcesses } from './services';
import { sessionBench } from './sessions';
import { agentBench } from './agents';
import { gatewayBench } from './gateway';
import { searchBench } from './search';
import { logsBench } from './logs';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PORT = Number(process.env.BENCH_PORT ?? 3917);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 20_000);
const E2E_SECONDS = Number(process.env.BENCH_E2E_SECONDS ?? 15);
const LAG_RATE = Number(process.env.BENCH_LAG_RATE ?? 1_000);
const LAG_SECONDS = Number(process.env.BENCH_LAG_SECONDS ?? 15);
const token = randomUUID().slice(0, 8);

/** A commit of one task.created event, as the planner writes it: the payload every stage uses. */
function commitPayload(id: string): Uint8Array {
  const event = {
    id: randomUUID(),
    type: 'orchestration.task.created',
    aggregateType: 'task',
    aggregateId: id,
    version: 1,
    occurredAt: new Date().toISOString(),
    actor: { kind: 'agent', id: 'bench-agent', role: 'agent' },
    commandId: randomUUID(),
    correlationId: randomUUID(),
    causationId: null,
    schemaVersion: 1,
    data: { code: id, sprintCode: null, title: 'Benchmark task with a realistic title', description: 'Created by npm run bench', type: 'feature', priority: 'MEDIUM', estimateMinutes: 30, requiredCapabilities: ['code_generation'], dependsOn: [], status: 'BACKLOG' },
  };
  return new TextEncoder().encode(JSON.stringify({ events: [event] }));
}

async function logLayer() {
  const nc = await connect({ servers: NATS_URL });
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const raw = new Subjects(`braw${token}`);
  const log = new Subjects(`blog${token}`);
  const rawStream = `BENCH_RAW_${token}`;
  const logStream = `BENCH_LOG_${token}`;
  for (const [stream, subjects] of [[rawStream, raw], [logStream, log]] as const) await ensureEventStream(jsm, { stream, subjects, replicas: 1, duplicateWindowMs: 120_000 });
  const store = new EventStore(js, jsm, logStream);
  const payloadBytes = commitPayload('TSK-BENCH00001').length;
  try {
    const rawRate = await throughput(MESSAGES, CONCURRENCY, (i) => js.publish(raw.aggregate('task', `TSK-R${i}`), commitPayload(`TSK-R${i}`)));
    const appendRate = await throughput(MESSAGES, CONCURRENCY, (i) =>
      store.append(log.aggregate('task', `TSK-A${i}`), JSON.parse(new TextDecoder().decode(commitPayload(`TSK-A${i}`))), { expectedLastSubjectSeq: 0, commandId: randomUUID(), correlationId: 'bench' }),
    );
    return { payloadBytes, rawRate, appendRate };
  } finally {
    for (const s of [rawStream, logStream]) await jsm.streams.delete(s).catch(() => undefined);
    await nc.close();
  }
}

async function main() {
  const distRoot = join(__dirname, '..');
  process.stdout.write(`bench ${token}: ${MESSAGES} messages at concurrency ${CONCURRENCY}\n`);
  const log = await logLayer();
  process.stdout.write(`  raw publish ${log.rawRate.perSecond}/s, event store append ${log.appendRate.perSecond}/s\n`);

  const env = {
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    NATS_URL,
    NATS_STREAM: `BENCH_${token}`,
    NATS_SUBJECT_PREFIX: `b${token}`,
    DATABASE_URL,
    DB_SCHEMA: `bench_${token}`,
    REDIS_URL,
    REDIS_PREFIX: `bench:${token}:`,
    GATEWAY_PORT: String(PORT),
    ORCH_API_KEYS: '',
    // Throughput is measured here, not the limiter (the per-key limits have their own tests).
    RATE_LIMITS: 'off',
  };
  const services = new ServiceProcesses(distRoot, env);
  const pg = new Client({ connectionString: DATABASE_URL });
  await pg.connect();
  const http = new Pool(`http://127.0.0.1:${PORT}`, { connections: CONCURRENCY, pipelining: 1 });
  try {
    // BENCH_APPS picks the services (default: all that the measured routes need).
    const apps = (process.env.BENCH_APPS ?? 'planner,search-service,bug-service').split(',');
    for (const app of [...apps, 'gateway']) services.start(app);
    await waitReady(http, apps);
    const createTask = async (i: number) => {
      const res = await http.request({
        method: 'POST',
        path: '/api/v1/tasks',
        headers: { authorization: 'Bearer dev-admin-key', 'content-type': 'application/json' },
        body: JSON.stringify({ title: `Bench task ${i}`, priority: 'MEDIUM', estimateMinutes: 30, requiredCapabilities: ['code_generation'] }),
      });
      await res.body.text();
      if (res.statusCode !== 201) throw new Error(`status ${res.statusCode}`);
      return Number(res.headers['x-orch-seq']);
    };
    await throughput(2_000, CONCURRENCY, createTask); // warm-up: JIT, pools, caches
    const e2e = await timed(E2E_SECONDS, CONCURRENCY, createTask);
    process.stdout.write(`  end to end POST /api/v1/tasks ${e2e.perSecond}/s (${e2e.failed} failed)\n`);
    const catchUp = await waitCaughtUp(pg, env.DB_SCHEMA);
    process.stdout.write(`  projections caught up ${catchUp.backlog} commits behind in ${catchUp.ms} ms after the end-to-end run\n`);
    const lag = await projectionLag(createTask);
    process.stdout.write(`  projection lag at ${lag.achievedRate}/s: p50 ${lag.planner.p50} ms, p99 ${lag.planner.p99} ms (planner); p99 ${lag.search.p99} ms (search)\n`);
    // Measured on a settled system: the lag phase's last commits are projected first.
    if (apps.includes('bug-service')) await waitCaughtUp(pg, env.DB_SCHEMA);
    const bugs = apps.includes('bug-service') ? await postBugLatency(http) : null;
    const fingerprintsPerSecond = fingerprintRate(distRoot);
    if (bugs) process.stdout.write(`  POST /api/v1/bugs p50 ${bugs.p50} ms, p95 ${bugs.p95} ms\n`);
    process.stdout.write(`  fingerprinting ${fingerprintsPerSecond}/s in one process\n`);
    const webhooks = await webhookLatency(distRoot); // its own notifier process, stream and schema
    const plans = apps.includes('planner') ? await planBench(distRoot, http, env) : null;
    // The benchmarks below start their own services; this system's would only compete with them
    // for the CPU (their projections and timers keep running while idle), so it stops here.
    await services.stop();
    const sessions = await sessionBench(distRoot); // its own services, stream and schema
    const agents = await agentBench(distRoot); // its own services, stream and schema
    const gateway = await gatewayBench(distRoot); // its own services, stream and schema
    const logs = await logsBench(distRoot); // its own services, stream and schema
    const search = process.env.BENCH_SEARCH_EVENTS ? await searchBench() : null; // minutes at 1e6 events: opt in with BENCH_SEARCH_EVENTS
    const results = {
      when: new Date().toISOString(),
      machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
      services: apps,
      settings: { concurrency: CONCURRENCY, messages: MESSAGES, payloadBytes: log.payloadBytes, e2eSeconds: E2E_SECONDS, lagRate: LAG_RATE, lagSeconds: LAG_SECONDS },
      rawPublishPerSecond: log.rawRate.perSecond,
      appendPerSecond: log.appendRate.perSecond,
      appendVsRaw: round(log.appendRate.perSecond / log.rawRate.perSecond, 3),
      e2eTaskCreatesPerSecond: e2e.perSecond,
      e2eFailed: e2e.failed,
      projectionBacklogAfterE2e: catchUp,
      projectionLag: lag,
      plans,
      sessions,
      agents,
      gateway,
      logs,
      search,
      postBugLatencyMs: bugs,
      fingerprintsPerSecond,
      webhookLatencyMs: webhooks,
    };
    const dir = join(distRoot, '..', 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(join(dir, `${results.when.replace(/[:.]/g, '-')}.json`), `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`results written to bench/results/latest.json\n`);
  } finally {
    await http.close();
    await services.stop();
    await pg.query(`DROP SCHEMA IF EXISTS "bench_${token}" CASCADE`).catch(() => undefined);
    await pg.end();
    await cleanupStream(`BENCH_${token}`);
  }
}

/** Runs `op` with `concurrency` in flight for `seconds`. */
async function timed(seconds: number, concurrency: number, op: (i: number) => Promise<unknown>) {
  const until = performance.now() + seconds * 1000;
  let done = 0;
  let failed = 0;
  let i = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) await op(i++).then(() => done++, () => failed++);
    }),
  );
  return { perSecond: Math.round((done / (performance.now() - started)) * 1000), failed };
}

/**
 * Sends commands at a steady rate and, for each, measures how long after its 2xx reply the
 * projection announced a checkpoint at or past the commit's sequence.
 */
async function projectionLag(op: (i: number) => Promise<number>) {
  const acked = new Map<number, number>();
  const seen: Record<string, Array<{ position: number; at: number }>> = { planner: [], search_events: [] };
  // Projections announce each checkpoint on NATS: timing them costs the system nothing.
  const nc = await connect({ servers: NATS_URL });
  nc.subscribe(new Subjects(`b${token}`).checkpoint('*'), {
    callback: (_err, msg) => {
      const at = performance.now();
      const list = seen[msg.subject.split('.').pop()!];
      const position = Number(msg.string());
      if (list && (list.length === 0 || list[list.length - 1]!.position < position)) list.push({ position, at });
    },
  });
  const total = LAG_RATE * LAG_SECONDS;
  const started = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / LAG_RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inflight.push(op(1_000_000 + i).then((seq) => void acked.set(seq, performance.now()), () => undefined));
  }
  await Promise.all(inflight);
  const achievedRate = Math.round((acked.size / (performance.now() - started)) * 1000);
  const last = Math.max(...acked.keys());
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline && Object.values(seen).some((l) => (l[l.length - 1]?.position ?? 0) < last)) await new Promise((r) => setTimeout(r, 10));
  await nc.close();
  const lagOf = (name: string) => {
    const lags: number[] = [];
    for (const [seq, at] of acked) {
      const hit = seen[name]!.find((s) => s.position >= seq);
      if (hit) lags.push(Math.max(0, hit.at - at));
    }
    return { p50: round(percentile(lags, 50)), p99: round(percentile(lags, 99)), max: round(Math.max(...lags)), samples: lags.length };
  };
  return { targetRate: LAG_RATE, achievedRate, planner: lagOf('planner'), search: lagOf('search_events') };
}

/** Waits until every projection has applied the whole log; how far behind it was, and for how long. */
async function waitCaughtUp(pg: Client, schema: string) {
  const nc = await connect({ servers: NATS_URL });
  const jsm = await jetstreamManager(nc);
  const last = (await jsm.streams.info(`BENCH_${token}`)).state.last_seq;
  await nc.close();
  const started = performance.now();
  const positions = async () => (await pg.query<{ position: string }>(`SELECT position FROM "${schema}".projection_checkpoints`)).rows.map((r) => Number(r.position));
  const backlog = last - Math.min(...(await positions()));
  while ((await positions()).some((p) => p < last)) await new Promise((r) => setTimeout(r, 20));
  return { backlog, ms: Math.round(performance.now() - started) };
}

async function waitReady(http: Pool, services: string[]) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await http.request({ method: 'GET', path: '/health' });
      await res.body.text();
      if (res.statusCode === 200) {
        const nc = await connect({ servers: NATS_URL });
        const subjects = new Subjects(`b${token}`);
        const ok = await Promise.all(services.map((s) => nc.request(subjects.health(s), new Uint8Array(), { timeout: 1_000 }).then(() => true, () => false)));
        await nc.close();
        if (ok.every(Boolean)) return;
      }
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error('services did not become ready within 60 s');
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function cleanupStream(name: string) {
  const nc = await connect({ servers: NATS_URL });
  const jsm = await jetstreamManager(nc);
  for (const s of [name, `${name}_DLQ`]) await jsm.streams.delete(s).catch(() => undefined);
  await nc.close();
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${(error as Error).stack}\n`);
  process.exit(1);
});
