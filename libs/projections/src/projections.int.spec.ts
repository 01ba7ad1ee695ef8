import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { createDataSource } from '@orch/database';
import { EventStore, ensureDeadLetterStream, ensureEventStream } from '@orch/event-store';
import { natsTestContext, pgTestSchema, redisTestPrefix, TEST_DATABASE_URL, TEST_NATS_URL, TEST_REDIS_URL, waitFor, type NatsTestContext, type PgTestSchema } from '@orch/testing';
import { PgAdvisoryLease, PgApplier, ProjectionCheckpoints1700000000000, ProjectionRunner, RedisApplier, type BatchItem, type ProjectionRunner as Runner } from './index';
import { counterProjection, redisCounterProjection, TestCounters1700000000001 } from './test-fixtures/counter-projection';

const logger = pino({ level: 'silent' });

describe('the projection runtime', () => {
  let ctx: NatsTestContext;
  let store: EventStore;
  const schemas: PgTestSchema[] = [];
  const sources: DataSource[] = [];
  const runners: Runner[] = [];

  /** A migrated DataSource in its own schema: one read model instance. */
  async function readModel(): Promise<{ ds: DataSource; schema: string }> {
    const s = await pgTestSchema();
    schemas.push(s);
    const ds = createDataSource({ url: s.url, schema: s.schema, service: 'test', entities: [], migrations: [ProjectionCheckpoints1700000000000, TestCounters1700000000001] });
    await ds.initialize();
    await ds.runMigrations();
    sources.push(ds);
    return { ds, schema: s.schema };
  }

  function runner(ds: DataSource): Runner {
    const r = new ProjectionRunner({ js: ctx.js, jsm: ctx.jsm, nc: ctx.nc, store, stream: ctx.stream, subjects: ctx.subjects, logger }, `${counterProjection.name}_${randomUUID().slice(0, 6)}`, new PgApplier(ds, counterProjection));
    runners.push(r);
    return r;
  }

  async function increment(id: string, by = 1): Promise<number> {
    const event = {
      id: randomUUID(),
      type: 'orchestration.counter.incremented',
      aggregateType: 'counter',
      aggregateId: id,
      version: 1,
      occurredAt: new Date().toISOString(),
      actor: { kind: 'system' as const, id: 'test' },
      commandId: randomUUID(),
      correlationId: 'c',
      causationId: null,
      schemaVersion: 1,
      data: { by },
    };
    // Raw publishes: these tests are about the projection side, not concurrency control.
    const ack = await ctx.js.publish(ctx.subjects.aggregate('counter', id), JSON.stringify({ events: [event] }));
    return ack.seq;
  }

  const snapshot = async (ds: DataSource) => ds.query('SELECT id, total, commits FROM test_counters ORDER BY id');

  beforeAll(async () => {
    ctx = await natsTestContext();
    const opts = { stream: ctx.stream, subjects: ctx.subjects, replicas: 1, duplicateWindowMs: 120_000 };
    await ensureEventStream(ctx.jsm, opts);
    await ensureDeadLetterStream(ctx.jsm, opts);
    store = new EventStore(ctx.js, ctx.jsm, ctx.stream);
  });

  afterAll(async () => {
    for (const r of runners) await r.stop();
    for (const ds of sources) await ds.destroy();
    for (const s of schemas) await s.drop();
    await ctx.close();
  });

  it('applies every commit once, in order, and records its checkpoint', async () => {
    for (let i = 0; i < 30; i++) await increment(`c${i % 3}`, i);
    const { ds } = await readModel();
    const r = runner(ds);
    r.start();
    const last = await r.catchUp(10_000);
    expect(await snapshot(ds)).toEqual([
      { id: 'c0', total: 135, commits: 10 },
      { id: 'c1', total: 145, commits: 10 },
      { id: 'c2', total: 155, commits: 10 },
    ]);
    const [row] = await ds.query('SELECT position FROM projection_checkpoints WHERE name = $1', [counterProjection.name]);
    expect(Number(row.position)).toBe(last);
  });

  it('leaves the read model unchanged when every commit is delivered a second time', async () => {
    const { ds } = await readModel();
    const applier = new PgApplier(ds, counterProjection);
    const first = await store.lastSeq();
    for (let i = 0; i < 10; i++) await increment(`dup${i % 2}`);
    const commits = await Promise.all(Array.from({ length: await store.lastSeq() }, (_, i) => store.readCommit(i + 1).catch(() => null)));
    const items: BatchItem[] = commits.map((c, i) => ({ seq: i + 1, commit: c }));
    await applier.applyBatch(items);
    const once = await snapshot(ds);
    expect(once.filter((r: { id: string }) => r.id.startsWith('dup'))).toEqual([
      { id: 'dup0', total: 5, commits: 5 },
      { id: 'dup1', total: 5, commits: 5 },
    ]);
    await applier.applyBatch(items);
    for (const item of items) await applier.applyBatch([item]);
    expect(await snapshot(ds)).toEqual(once);
    expect(await applier.readCheckpoint()).toBeGreaterThan(first);
  });

  it('applies each commit once when told a wrong checkpoint: it then reads the stored one', async () => {
    const { ds } = await readModel();
    const applier = new PgApplier(ds, counterProjection);
    for (let i = 0; i < 6; i++) await increment(`exp${i % 2}`);
    const last = await store.lastSeq();
    const commits = await Promise.all(Array.from({ length: last }, (_, i) => store.readCommit(i + 1).catch(() => null)));
    const items: BatchItem[] = commits.map((c, i) => ({ seq: i + 1, commit: c }));
    const mine = (rows: Array<{ id: string }>) => rows.filter((r) => r.id.startsWith('exp'));
    // No checkpoint row yet: the expectation (0) cannot match, the locked path creates the row.
    expect(await applier.applyBatch(items.slice(0, last - 3), undefined, 0)).toBe(last - 3);
    // A runner that still believes 0 (another one moved on meanwhile) redelivers everything: only the rest is new.
    expect(await applier.applyBatch(items, undefined, 0)).toBe(last);
    expect(mine(await snapshot(ds))).toEqual([
      { id: 'exp0', total: 3, commits: 3 },
      { id: 'exp1', total: 3, commits: 3 },
    ]);
    // A right belief moves the checkpoint with one statement. A belief ahead of the store (which
    // lost writes) is not taken for the truth: the answer is the stored checkpoint, and the caller rewinds.
    await increment('exp0', 10);
    const next: BatchItem = { seq: last + 1, commit: await store.readCommit(last + 1) };
    expect(await applier.applyBatch([next], undefined, last)).toBe(last + 1);
    expect(await applier.applyBatch([{ seq: last + 3, commit: null }], undefined, last + 2)).toBe(last + 1);
    expect(mine(await snapshot(ds))).toEqual([
      { id: 'exp0', total: 13, commits: 4 },
      { id: 'exp1', total: 3, commits: 3 },
    ]);
    expect(await applier.readCheckpoint()).toBe(last + 1);
  });

  it('replays what its store lost after applying it (a crash without a WAL flush) instead of stalling', async () => {
    const { ds } = await readModel();
    const r = runner(ds);
    r.start();
    for (let i = 0; i < 6; i++) await increment(`lost${i % 2}`, 1);
    await r.catchUp(10_000);
    const before = (await snapshot(ds)).filter((row: { id: string }) => row.id.startsWith('lost'));
    // The store forgets its last commits behind the runner's back, as Postgres does after a
    // crash under synchronous_commit = off: checkpoint and rows go back together.
    const [{ position }] = await ds.query('SELECT position FROM projection_checkpoints WHERE name = $1', [counterProjection.name]);
    await ds.query('TRUNCATE test_counters');
    await ds.query('UPDATE projection_checkpoints SET position = 0 WHERE name = $1', [counterProjection.name]);
    for (let i = 0; i < 4; i++) await increment(`lost${i % 2}`, 1);
    const last = await r.catchUp(10_000);
    expect(last).toBeGreaterThan(Number(position));
    expect((await snapshot(ds)).filter((row: { id: string }) => row.id.startsWith('lost'))).toEqual(
      before.map((row: { id: string; total: number; commits: number }) => ({ ...row, total: row.total + 2, commits: row.commits + 2 })),
    );
    expect(r.status().rewinds).toBe(1);
  });

  it('passes over commits it ignores without a write each, and records them with the next write or when idle', async () => {
    const { ds } = await readModel();
    const applier = new PgApplier(ds, { ...counterProjection, name: 'skipping', aggregateTypes: ['counter'] });
    let writes = 0;
    const counting = Object.assign(Object.create(applier) as PgApplier, {
      applyBatch: (...args: Parameters<PgApplier['applyBatch']>) => (writes++, applier.applyBatch(...args)),
    });
    const r = new ProjectionRunner({ js: ctx.js, jsm: ctx.jsm, nc: ctx.nc, store, stream: ctx.stream, subjects: ctx.subjects, logger }, 'skipping', counting);
    runners.push(r);
    r.start();
    await r.catchUp(10_000);
    const stored = async () => Number((await ds.query(`SELECT position FROM projection_checkpoints WHERE name = 'skipping'`))[0]?.position ?? 0);
    await waitFor('the caught-up checkpoint to be recorded', async () => (await stored()) === (await store.lastSeq()));

    writes = 0;
    for (let i = 0; i < 30; i++) {
      const commandId = randomUUID();
      const event = { id: randomUUID(), type: 'orchestration.other.happened', aggregateType: 'other', aggregateId: `o${i}`, version: 1, occurredAt: new Date().toISOString(), actor: { kind: 'system', id: 'test' }, commandId, correlationId: commandId, causationId: null, schemaVersion: 1, data: {} };
      await ctx.js.publish(ctx.subjects.aggregate('other', `o${i}`), JSON.stringify({ events: [event] }));
      await r.catchUp(10_000); // one at a time, as a quiet system sees them
    }
    const last = await r.catchUp(10_000);
    expect(writes).toBeLessThan(5); // 30 ignored commits, not 30 transactions (at most one a second)
    await waitFor('the idle runner to record the checkpoint over them', async () => (await stored()) === last);

    await increment('skipped-then', 4);
    await r.catchUp(10_000);
    expect(await stored()).toBe(await store.lastSeq());
    expect((await snapshot(ds)).find((x: { id: string }) => x.id === 'skipped-then')).toEqual({ id: 'skipped-then', total: 4, commits: 1 });
  });

  it('announces each new checkpoint on NATS, so others learn it without polling', async () => {
    const { ds } = await readModel();
    const r = runner(ds);
    const heard: number[] = [];
    const sub = ctx.nc.subscribe(ctx.subjects.checkpoint(r.name), { callback: (_e, m) => void heard.push(Number(m.string())) });
    r.start();
    const last = await r.catchUp(10_000);
    await waitFor('the final checkpoint to be announced', () => heard.includes(last));
    expect(heard).toEqual([...heard].sort((a, b) => a - b));
    sub.unsubscribe();
  });

  it('runs one active consumer per projection: a standby with the same lease waits, then takes over', async () => {
    const { ds, schema } = await readModel();
    const name = `leased_${randomUUID().slice(0, 6)}`;
    const make = () => {
      const r = new ProjectionRunner(
        { js: ctx.js, jsm: ctx.jsm, store, stream: ctx.stream, subjects: ctx.subjects, logger, lease: new PgAdvisoryLease(TEST_DATABASE_URL, `${schema}:${name}`) },
        name,
        new PgApplier(ds, counterProjection),
      );
      runners.push(r);
      return r;
    };
    const first = make();
    first.start();
    await first.catchUp(10_000);
    const standby = make();
    standby.start();
    await increment('leased', 5);
    const seq = await store.lastSeq();
    // The standby answers read-your-writes from the shared checkpoint that the active one moves.
    expect(await standby.waitFor(seq, 10_000)).toBe(true);
    expect(first.status().active).toBe(true);
    expect(standby.status().active).toBe(false);
    await first.stop();
    await increment('leased', 7);
    await waitFor('the standby to take over', () => standby.status().active, { timeoutMs: 10_000 });
    await standby.catchUp(10_000);
    expect((await snapshot(ds)).find((x: { id: string }) => x.id === 'leased')).toEqual({ id: 'leased', total: 12, commits: 2 });
  });

  it('keeps one active consumer when the lease connection drops (a Postgres restart): one takes it again, the other stands by', async () => {
    const { ds, schema } = await readModel();
    const name = `relet_${randomUUID().slice(0, 6)}`;
    const key = `${schema}:${name}`;
    const make = () => {
      const r = new ProjectionRunner({ js: ctx.js, jsm: ctx.jsm, store, stream: ctx.stream, subjects: ctx.subjects, logger, lease: new PgAdvisoryLease(TEST_DATABASE_URL, key) }, name, new PgApplier(ds, counterProjection));
      runners.push(r);
      return r;
    };
    const pair = [make(), make()];
    pair[0]!.start();
    await waitFor('the first to take the lease', () => pair[0]!.status().active, { timeoutMs: 10_000 });
    pair[1]!.start();
    const holders = async () =>
      Number(
        (await ds.query(`SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid::text::bigint = (hashtext($1)::bigint & 4294967295)`, [key]))[0].n,
      );
    expect(await holders()).toBe(1);
    const killed = (await ds.query(`SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid::text::bigint = (hashtext($1)::bigint & 4294967295)`, [key])).map((r: { pid: number }) => r.pid);
    await ds.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [killed]);
    // Right after the kill the old backend may still hold the lock for a moment: wait until it is
    // gone and someone (either) has taken the lease again on a connection of its own.
    await waitFor('the dropped lease to be gone', async () => Number((await ds.query(`SELECT count(*) AS n FROM pg_locks WHERE pid = ANY($1::int[])`, [killed]))[0].n) === 0, { timeoutMs: 15_000 });
    await waitFor('one lease holder and one active consumer again', async () => (await holders()) === 1 && pair.filter((r) => r.status().active).length === 1, { timeoutMs: 15_000 });
    const active = pair.find((r) => r.status().active)!;
    await increment('relet', 3);
    await active.catchUp(10_000);
    expect((await snapshot(ds)).find((x: { id: string }) => x.id === 'relet')).toEqual({ id: 'relet', total: 3, commits: 1 });
  });
  it('keeps a read-your-writes wait going when its runner loses the lease: it then reads the shared checkpoint', async () => {
    const { ds, schema } = await readModel();
    const name = `waiter_${randomUUID().slice(0, 6)}`;
    const key = `${schema}:${name}`;
    const r = new ProjectionRunner({ js: ctx.js, jsm: ctx.jsm, store, stream: ctx.stream, subjects: ctx.subjects, logger, lease: new PgAdvisoryLease(TEST_DATABASE_URL, key) }, name, new PgApplier(ds, counterProjection));
    runners.push(r);
    r.start();
    await waitFor('the runner to take the lease', () => r.status().active, { timeoutMs: 10_000 });
    await r.catchUp(10_000);
    const target = (await store.lastSeq()) + 1_000; // far beyond the log: only the shared checkpoint can reach it
    const waiting = r.waitFor(target, 15_000);

    // Another "instance" (this test) takes the lease away, and moves the shared checkpoint itself.
    const other = new Client({ connectionString: TEST_DATABASE_URL });
    await other.connect();
    try {
      const held = (await other.query(`SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid::text::bigint = (hashtext($1)::bigint & 4294967295)`, [key])).rows.map((row: { pid: number }) => row.pid);
      await other.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [held]);
      await waitFor('the lease to be ours', async () => (await other.query('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [key])).rows[0].ok === true, { timeoutMs: 10_000 });
      await waitFor('the runner to stand by', () => !r.status().active, { timeoutMs: 10_000 });
      await ds.query('INSERT INTO projection_checkpoints (name, position) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET position = $2', [counterProjection.name, target]);
      expect(await waiting).toBe(true);
    } finally {
      await other.end();
    }
  });

  it('dead-letters garbage on the stream and keeps going', async () => {
    const { ds } = await readModel();
    const r = runner(ds);
    r.start();
    await r.catchUp(10_000);
    const before = (await snapshot(ds)).find((x: { id: string }) => x.id === 'after-garbage');
    expect(before).toBeUndefined();
    const junk = [
      await ctx.js.publish(ctx.subjects.aggregate('counter', 'junk'), 'not json at all'),
      await ctx.js.publish(ctx.subjects.aggregate('counter', 'junk'), JSON.stringify({ events: [{ type: 'nope' }] })),
      await ctx.js.publish(ctx.subjects.aggregate('counter', 'junk'), JSON.stringify({ hello: 'world' })),
    ];
    await increment('after-garbage', 7);
    await r.catchUp(10_000);
    expect((await snapshot(ds)).find((x: { id: string }) => x.id === 'after-garbage')).toEqual({ id: 'after-garbage', total: 7, commits: 1 });
    expect(r.status().deadLettered).toBe(3);
    const dlq = await ctx.jsm.streams.info(`${ctx.stream}_DLQ`, { subjects_filter: '>' });
    expect(dlq.state.subjects?.[ctx.subjects.deadLetters(r.durableName)]).toBe(3);
    const first = await ctx.jsm.streams.getMessage(`${ctx.stream}_DLQ`, { last_by_subj: ctx.subjects.deadLetters(r.durableName) });
    expect(first?.header.get('Orch-Dlq-Source-Seq')).toBe(String(junk[2]!.seq));
    expect(first?.header.get('Orch-Dlq-Reason')).toMatch(/not a commit/);
  });

  it('skips, unparsed, the commits of aggregate types it does not read, and still advances past them', async () => {
    const { ds } = await readModel();
    const onlyCounters = { ...counterProjection, aggregateTypes: ['counter'] };
    const r = new ProjectionRunner({ js: ctx.js, jsm: ctx.jsm, store, stream: ctx.stream, subjects: ctx.subjects, logger }, `typed_${randomUUID().slice(0, 6)}`, new PgApplier(ds, onlyCounters));
    runners.push(r);
    const other = ctx.subjects.aggregate('other', 'x1');
    await ctx.js.publish(other, 'not json, but not ours either');
    await increment('typed', 3);
    r.start();
    const last = await r.catchUp(10_000);
    expect(r.status().position).toBe(last);
    const sources: string[] = [];
    for (let seq = 1; ; ) {
      const m = await ctx.jsm.streams.getMessage(`${ctx.stream}_DLQ`, { seq, next_by_subj: ctx.subjects.deadLetters(r.durableName) } as never).catch(() => null);
      if (!m) break;
      sources.push(m.header.get('Orch-Dlq-Source-Subject'));
      seq = m.seq + 1;
    }
    expect(sources).toHaveLength(r.status().deadLettered); // the DLQ was really read
    expect(sources).not.toContain(other); // garbage of other types is not this projection's business
    expect((await snapshot(ds)).find((x: { id: string }) => x.id === 'typed')).toEqual({ id: 'typed', total: 3, commits: 1 });
  });

  it('rebuilds from sequence 1 into exactly the live read model', async () => {
    const { ds } = await readModel();
    const r = runner(ds);
    r.start();
    await r.catchUp(10_000);
    const live = await snapshot(ds);
    await ds.query(`UPDATE test_counters SET total = total + 1000`); // damage it
    await r.rebuild();
    await r.catchUp(10_000);
    expect(await snapshot(ds)).toEqual(live);
  });

  it('keeps a Redis read model and its checkpoint in one MULTI, exactly once', async () => {
    const prefix = redisTestPrefix();
    const redis = new Redis(TEST_REDIS_URL, { keyPrefix: prefix });
    try {
      const applier = new RedisApplier(redis, redisCounterProjection);
      const r = new ProjectionRunner({ js: ctx.js, jsm: ctx.jsm, store, stream: ctx.stream, subjects: ctx.subjects, logger }, `redis_${randomUUID().slice(0, 6)}`, applier);
      runners.push(r);
      await increment('redis-a', 2);
      await increment('redis-a', 3);
      r.start();
      await r.catchUp(10_000);
      expect(await redis.hget('counter:redis-a', 'total')).toBe('5');
      const last = await store.lastSeq();
      const commits = await Promise.all(Array.from({ length: last }, (_, i) => store.readCommit(i + 1).catch(() => null)));
      await applier.applyBatch(commits.map((c, i) => ({ seq: i + 1, commit: c })));
      expect(await redis.hget('counter:redis-a', 'total')).toBe('5');
      expect(await applier.readCheckpoint()).toBe(last);
      await r.rebuild();
      await r.catchUp(10_000);
      expect(await redis.hget('counter:redis-a', 'total')).toBe('5');
    } finally {
      const plain = new Redis(TEST_REDIS_URL); // without the prefix, to delete the keys KEYS returns
      const keys = await plain.keys(`${prefix}*`);
      if (keys.length) await plain.del(...keys);
      plain.disconnect();
      redis.disconnect();
    }
  });

  it('survives a projector killed with SIGKILL mid-stream: after restart it equals a rebuild', async () => {
    const base = await store.lastSeq();
    const ids = Array.from({ length: 50 }, (_, i) => `kill${i}`);
    for (let i = 0; i < 4000; i += 200) await Promise.all(Array.from({ length: 200 }, (_, j) => increment(ids[(i + j) % ids.length]!)));
    const last = await store.lastSeq();
    const { ds, schema } = await readModel();
    const env = { ...process.env, NATS_URL: TEST_NATS_URL, STREAM: ctx.stream, PREFIX: ctx.subjects.prefix, DATABASE_URL: TEST_DATABASE_URL, SCHEMA: schema };
    const start = (): ChildProcess =>
      spawn(process.execPath, ['-r', '@swc-node/register', `${__dirname}/test-fixtures/projector-process.ts`], { env, stdio: 'inherit' });
    const position = async () => Number((await ds.query(`SELECT position FROM projection_checkpoints WHERE name = $1`, [counterProjection.name]))[0]?.position ?? 0);

    const first = start();
    await waitFor('the projector to be part-way through', async () => (await position()) > base + 500, { timeoutMs: 30_000, intervalMs: 5 });
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const killedAt = await position();
    expect(killedAt).toBeLessThan(last);

    const second = start();
    try {
      await waitFor('the restarted projector to reach the end of the log', async () => (await position()) === last, { timeoutMs: 60_000 });
    } finally {
      second.kill('SIGKILL');
    }
    const afterRestart = await snapshot(ds);
    const kills = afterRestart.filter((r: { id: string }) => r.id.startsWith('kill'));
    expect(kills.reduce((sum: number, r: { total: number }) => sum + r.total, 0)).toBe(4000);

    const fresh = await readModel();
    const rebuild = runner(fresh.ds);
    rebuild.start();
    await rebuild.catchUp(60_000);
    expect(await snapshot(fresh.ds)).toEqual(afterRestart);
  });
});
