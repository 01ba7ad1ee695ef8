/**
 * Webhook latency: event appended to the log (append acknowledged) → webhook received by a local
 * HTTP receiver, p50/p99 over every delivery, with 10 subscriptions; then again with one endpoint
 * among the 10 that never answers (its requests hang until the notifier's timeout), reporting the
 * 9 others. The notifier runs as a real process from dist/ (`node dist/bench/webhooks.js`, or
 * from `npm run bench`).
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Client } from 'pg';
import { Subjects, WebhookRoutes, type RpcRoute } from '@orch/contracts';
import { EventStore } from '@orch/event-store';
import { RpcClient } from '@orch/messaging';
import { ServiceProcesses } from './services';
import { percentile, round } from './stats';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const RATE = Number(process.env.BENCH_WEBHOOK_RATE ?? 20);
const SECONDS = Number(process.env.BENCH_WEBHOOK_SECONDS ?? 10);
const SUBSCRIPTIONS = 10;

/** A loopback endpoint that notes when each event id first arrived; `dead` ones never answer. */
async function receiver(dead: boolean): Promise<{ url: string; seen: Map<string, number>; server: Server }> {
  const seen = new Map<string, number>();
  const server = createServer((req, res) => {
    if (dead) return; // never answers; the socket is closed when the server stops
    const at = performance.now();
    const id = String(req.headers['idempotency-key'] ?? '');
    if (!seen.has(id)) seen.set(id, at);
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, seen, server };
}

export async function webhookLatency(distRoot: string) {
  const token = randomUUID().slice(0, 8);
  const env = {
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    NATS_URL,
    NATS_STREAM: `BENCH_WH_${token}`,
    NATS_SUBJECT_PREFIX: `bwh${token}`,
    DATABASE_URL,
    DB_SCHEMA: `bench_wh_${token}`,
    WEBHOOK_TIMEOUT_MS: '5000',
  };
  const services = new ServiceProcesses(distRoot, env);
  const nc = await connect({ servers: NATS_URL });
  const subjects = new Subjects(env.NATS_SUBJECT_PREFIX);
  const servers: Server[] = [];
  try {
    services.start('notifier');
    await waitHealthy(nc, subjects);
    const store = new EventStore(jetstream(nc), await jetstreamManager(nc), env.NATS_STREAM);
    const rpc = new RpcClient(nc, subjects, 10_000);
    const scenario = async (name: string, deadCount: number, seconds = SECONDS) => {
      const type = `orchestration.benchmark.${name}`;
      const receivers = await Promise.all(Array.from({ length: SUBSCRIPTIONS }, (_, i) => receiver(i < deadCount)));
      servers.push(...receivers.map((r) => r.server));
      for (const r of receivers) {
        const meta = { actor: { kind: 'human' as const, id: 'bench', role: 'admin' as const }, commandId: randomUUID(), issuedAt: new Date().toISOString() };
        await rpc.call(WebhookRoutes.createWebhook as RpcRoute, { url: r.url, kind: 'generic', events: [type] }, { meta, correlationId: randomUUID() });
      }
      const appended = await appendAtRate(store, subjects, type, seconds);
      const live = receivers.slice(deadCount);
      const deadline = performance.now() + 60_000;
      while (performance.now() < deadline && live.some((r) => r.seen.size < appended.size)) await new Promise((r) => setTimeout(r, 20));
      const latencies: number[] = [];
      let missing = 0;
      for (const r of live) {
        for (const [id, at] of appended) {
          const got = r.seen.get(id);
          if (got === undefined) missing++;
          else latencies.push(got - at);
        }
      }
      return { subscriptions: SUBSCRIPTIONS, deadEndpoints: deadCount, events: appended.size, deliveries: latencies.length, missing, p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)), max: round(Math.max(...latencies)) };
    };
    await scenario('warm_up', 0, 3); // JIT, connection pools, prepared plans: not measured
    const allLive = await scenario('all_live', 0);
    process.stdout.write(`  webhooks, ${SUBSCRIPTIONS} subscriptions: appended → received p50 ${allLive.p50} ms, p99 ${allLive.p99} ms (${allLive.deliveries} deliveries)\n`);
    const oneDead = await scenario('one_dead', 1);
    process.stdout.write(`  webhooks, one dead endpoint among ${SUBSCRIPTIONS}: the others' p50 ${oneDead.p50} ms, p99 ${oneDead.p99} ms (${oneDead.deliveries} deliveries)\n`);
    return { rate: RATE, seconds: SECONDS, allLive, oneDead };
  } finally {
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
    await services.stop();
    const jsm = await jetstreamManager(nc);
    for (const s of [env.NATS_STREAM, `${env.NATS_STREAM}_DLQ`]) await jsm.streams.delete(s).catch(() => undefined);
    await nc.close();
    const pg = new Client({ connectionString: DATABASE_URL });
    await pg.connect();
    await pg.query(`DROP SCHEMA IF EXISTS "${env.DB_SCHEMA}" CASCADE`).catch(() => undefined);
    await pg.end();
  }
}

/** Appends one event per RATE-th of a second for `seconds`; each id → when its append was acknowledged. */
async function appendAtRate(store: EventStore, subjects: Subjects, type: string, seconds: number): Promise<Map<string, number>> {
  const appended = new Map<string, number>();
  const started = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < RATE * seconds; i++) {
    const wait = started + (i * 1000) / RATE - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const id = randomUUID();
    const aggregateId = `bench-${i}-${id.slice(0, 8)}`;
    const event = { id, type, aggregateType: 'benchmark', aggregateId, version: 1, occurredAt: new Date().toISOString(), actor: { kind: 'system' as const, id: 'bench' }, commandId: id, correlationId: id, causationId: null, schemaVersion: 1, data: { i } };
    inflight.push(store.append(subjects.aggregate('benchmark', aggregateId), { events: [event] }, { expectedLastSubjectSeq: 0, commandId: id, correlationId: id }).then(() => void appended.set(id, performance.now())));
  }
  await Promise.all(inflight);
  return appended;
}

async function waitHealthy(nc: Awaited<ReturnType<typeof connect>>, subjects: Subjects): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (await nc.request(subjects.health('notifier'), new Uint8Array(), { timeout: 1_000 }).then(() => true, () => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the notifier did not become healthy within 60 s');
}

if (require.main === module) {
  webhookLatency(join(__dirname, '..')).then(
    (r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`),
    (e) => {
      process.stderr.write(`webhook bench failed: ${(e as Error).stack}\n`);
      process.exit(1);
    },
  );
}
