import { randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { Subjects } from '@orch/contracts';
import { createDataSource } from '@orch/database';
import { EventStore, ensureDeadLetterStream, ensureEventStream } from '@orch/event-store';
import { PrivateInfra } from '@orch/testing';
import { PgAdvisoryLease, PgApplier, ProjectionCheckpoints1700000000000, ProjectionRunner } from './index';
import { counterProjection, TestCounters1700000000001 } from './test-fixtures/counter-projection';

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/**
 * SPEC §9: Postgres and NATS restarting make a projection wait and go on, never stop. Private
 * servers (the shared ones serve other tests), restarted cleanly, crashed, and down for a while,
 * while commits keep arriving; at the end the read model holds every one of them exactly once.
 */
describe('a projection through Postgres and NATS outages', () => {
  let infra: PrivateInfra;
  let nc: NatsConnection;
  let ds: DataSource;
  let runner: ProjectionRunner;
  const subjects = new Subjects('outage');
  const stream = 'OUTAGE';

  beforeAll(async () => {
    infra = await PrivateInfra.start();
    nc = await connect({ servers: infra.nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    const jsm = await jetstreamManager(nc);
    const opts = { stream, subjects, replicas: 1, duplicateWindowMs: 120_000 };
    await ensureEventStream(jsm, opts);
    await ensureDeadLetterStream(jsm, opts);
    ds = createDataSource({ url: infra.postgres.url, schema: 'public', service: 'test', entities: [], migrations: [ProjectionCheckpoints1700000000000, TestCounters1700000000001] });
    await ds.initialize();
    await ds.runMigrations();
    const lease = new PgAdvisoryLease(infra.postgres.url, 'outage');
    runner = new ProjectionRunner({ js: jetstream(nc), jsm, nc, store: new EventStore(jetstream(nc), jsm, stream), stream, subjects, logger, lease }, 'outage_counters', new PgApplier(ds, counterProjection));
    runner.start();
  }, 90_000);

  afterAll(async () => {
    await runner?.stop();
    await ds?.destroy().catch(() => undefined);
    await nc?.close();
    await infra?.stop();
  });

  it('applies every commit exactly once after restarts, crashes and outages of both servers', async () => {
    const js = jetstream(nc);
    let written = 0;
    let stopping = false;
    // One writer: a failed publish is retried with the same message id, so each commit is stored once.
    const writer = (async () => {
      while (!stopping) {
        const commandId = randomUUID();
        const body = JSON.stringify({ events: [{ id: randomUUID(), type: 'orchestration.counter.incremented', aggregateType: 'counter', aggregateId: `k${written % 5}`, version: 1, occurredAt: new Date().toISOString(), actor: { kind: 'system', id: 't' }, commandId, correlationId: commandId, causationId: null, schemaVersion: 1, data: { by: 1 } }] });
        for (;;) {
          try {
            await js.publish(subjects.aggregate('counter', `k${written % 5}`), body, { msgID: commandId, timeout: 2_000 });
            written++;
            break;
          } catch {
            await new Promise((r) => setTimeout(r, 100));
          }
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const outage = async (server: PrivateInfra['postgres']) => {
      await server.stop();
      await new Promise((r) => setTimeout(r, 3_000)); // the fault is its duration
      await server.start();
    };
    for (const server of [infra.postgres, infra.nats]) {
      await server.restart();
      await server.restart({ hard: true });
      await outage(server);
    }
    stopping = true;
    await writer;
    await runner.catchUp(60_000);
    const rows = (await ds.query('SELECT sum(total)::int AS total FROM test_counters')) as Array<{ total: number }>;
    expect(rows[0]!.total).toBe(written);
    expect(runner.status().deadLettered).toBe(0);
  }, 120_000);

  it('gives up on a transaction that never settles and applies the commit on the next try', async () => {
    const applier = new PgApplier(ds, { ...counterProjection, name: 'hung_once' });
    let hung = false;
    // The first apply never answers, as a transaction did after a Postgres restart in the chaos suite.
    const flaky = Object.assign(Object.create(applier) as PgApplier, {
      applyBatch: (items: Parameters<PgApplier['applyBatch']>[0]) => (hung ? applier.applyBatch(items) : ((hung = true), new Promise<number>(() => undefined))),
    });
    const jsm = await jetstreamManager(nc);
    const r = new ProjectionRunner({ js: jetstream(nc), jsm, nc, store: new EventStore(jetstream(nc), jsm, stream), stream, subjects, logger, applyTimeoutMs: 500 }, 'hung_once', flaky);
    r.start();
    try {
      await r.catchUp(30_000);
      expect(hung).toBe(true);
      expect(r.status().deadLettered).toBe(0);
    } finally {
      await r.stop();
    }
  }, 60_000);
});
