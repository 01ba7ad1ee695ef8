import { randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { Subjects, type CommitBody } from '@orch/contracts';
import { createDataSource } from '@orch/database';
import { ensureDeadLetterStream, ensureEventStream, EventStore, WrongExpectedSequence } from '@orch/event-store';
import { NatsCluster, pgTestSchema, uniqueToken, waitFor, type PgTestSchema } from '@orch/testing';
import { PgApplier, ProjectionCheckpoints1700000000000, ProjectionRunner } from './index';
import { counterProjection, TestCounters1700000000001 } from './test-fixtures/counter-projection';

const logger = pino({ level: 'silent' });
const WRITERS = 6;

/**
 * SPEC §9: on a three-node cluster with the stream at R3, losing one node loses nothing. Real
 * nats-server processes; the stream leader is SIGKILLed while writers append, and comes back.
 */
describe('the event log on a three-node NATS cluster', () => {
  let cluster: NatsCluster;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let store: EventStore;
  let pg: PgTestSchema;
  let ds: DataSource;
  let runner: ProjectionRunner;
  const stream = `CLUSTER_${uniqueToken()}`;
  const subjects = new Subjects(`c${uniqueToken()}`);

  beforeAll(async () => {
    cluster = await NatsCluster.start(3);
    nc = await cluster.connect();
    jsm = await jetstreamManager(nc);
    const opts = { stream, subjects, replicas: 3, duplicateWindowMs: 120_000 };
    await waitFor('the stream to be created at R3', () => ensureEventStream(jsm, opts).then(() => true).catch(() => undefined), { timeoutMs: 20_000, intervalMs: 250 });
    await waitFor('the dead-letter stream', () => ensureDeadLetterStream(jsm, opts).then(() => true).catch(() => undefined), { timeoutMs: 20_000, intervalMs: 250 });
    store = new EventStore(jetstream(nc), jsm, stream);
    pg = await pgTestSchema();
    ds = createDataSource({ url: pg.url, schema: pg.schema, service: 'test', entities: [], migrations: [ProjectionCheckpoints1700000000000, TestCounters1700000000001] });
    await ds.initialize();
    await ds.runMigrations();
    runner = new ProjectionRunner({ js: jetstream(nc), jsm, nc, store, stream, subjects, logger }, 'cluster_counters', new PgApplier(ds, counterProjection));
    runner.start();
  }, 60_000);

  afterAll(async () => {
    await runner?.stop();
    await ds?.destroy();
    await pg?.drop();
    await nc?.close();
    await cluster?.stop();
  });

  it('keeps every acknowledged write through the loss of the stream leader, and the projection converges', async () => {
    const acked = new Map<string, number>(); // command id → seq
    const attempted = new Set<string>();
    let stopping = false;
    let errors = 0;

    /** One writer per counter, appending with the expected sequence; a failed append is retried as the same command. */
    const writer = async (id: string) => {
      let last = 0;
      while (!stopping) {
        const commandId = randomUUID();
        attempted.add(commandId);
        const body: CommitBody = { events: [{ id: randomUUID(), type: 'orchestration.counter.incremented', aggregateType: 'counter', aggregateId: id, version: 1, occurredAt: new Date().toISOString(), actor: { kind: 'system', id: 'test' }, commandId, correlationId: commandId, causationId: null, schemaVersion: 1, data: { by: 1 } }] };
        for (;;) {
          try {
            const { seq } = await store.append(subjects.aggregate('counter', id), body, { expectedLastSubjectSeq: last, commandId, correlationId: commandId });
            acked.set(commandId, seq);
            last = seq;
            break;
          } catch (error) {
            if (error instanceof WrongExpectedSequence) {
              // One writer per counter: the subject only moved if our own earlier attempt was stored
              // and its ack lost in the election (the aggregate repository settles it the same way,
              // by finding its command id in the reloaded history). Anything else is a lost write.
              const lastMsg = await jsm.streams.getMessage(stream, { last_by_subj: subjects.aggregate('counter', id) });
              if (!lastMsg || lastMsg.json<CommitBody>().events[0]!.commandId !== commandId) throw error;
              acked.set(commandId, lastMsg.seq);
              last = lastMsg.seq;
              break;
            }
            errors++;
            if (stopping) return;
            await new Promise((r) => setTimeout(r, 50));
          }
        }
      }
    };

    const writers = Array.from({ length: WRITERS }, (_, i) => writer(`w${i}`));
    await waitFor('writes before the fault', () => acked.size >= 200 || undefined, { timeoutMs: 20_000 });

    const leader = (await jsm.streams.info(stream)).cluster?.leader;
    expect(leader).toMatch(/^n[123]$/);
    cluster.kill(leader!);
    const atKill = acked.size;
    await waitFor('writes to continue after a new leader is elected', () => acked.size >= atKill + 200 || undefined, { timeoutMs: 30_000 });
    const newLeader = await waitFor('a new stream leader', async () => (await jsm.streams.info(stream).catch(() => undefined))?.cluster?.leader, { timeoutMs: 20_000 });
    expect(newLeader).not.toBe(leader);

    cluster.restart(leader!);
    await waitFor('the old leader to catch up as a current replica', async () => {
      const replicas = (await jsm.streams.info(stream).catch(() => undefined))?.cluster?.replicas ?? [];
      return replicas.length === 2 && replicas.every((r) => r.current && !r.offline) ? true : undefined;
    }, { timeoutMs: 30_000, intervalMs: 250 });

    stopping = true;
    await Promise.all(writers);

    // Every acknowledged command is in the log exactly once; anything else stored was attempted.
    const stored = new Map<string, number[]>();
    const perCounter = new Map<string, number>();
    const last = (await jsm.streams.info(stream)).state.last_seq;
    for (let seq = 1; seq <= last; seq++) {
      const msg = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
      if (!msg) continue;
      const commit = msg.json<CommitBody>();
      const { commandId, aggregateId } = commit.events[0]!;
      stored.set(commandId, [...(stored.get(commandId) ?? []), seq]);
      perCounter.set(aggregateId, (perCounter.get(aggregateId) ?? 0) + 1);
    }
    for (const [id, seq] of acked) expect(stored.get(id)).toEqual([seq]);
    for (const id of stored.keys()) expect(attempted.has(id)).toBe(true);

    // The projection's consumer (R3 too) resumed and counted each stored commit once.
    await runner.catchUp(30_000);
    const rows = (await ds.query('SELECT id, total, commits FROM test_counters ORDER BY id')) as Array<{ id: string; total: number; commits: number }>;
    expect(rows.map((r) => [r.id, r.total])).toEqual([...perCounter.entries()].sort(([a], [b]) => a.localeCompare(b)));
    process.stdout.write(`cluster: ${acked.size} writes acknowledged, ${stored.size} stored, ${errors} transient append errors during the fault, 0 lost\n`);
  }, 120_000);
});
