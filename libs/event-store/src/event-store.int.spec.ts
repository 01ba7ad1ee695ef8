import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { DiscardPolicy } from '@nats-io/jetstream';
import { ConflictError, InternalError, PreconditionFailedError, UnavailableError, ValidationError } from '@orch/errors';
import { natsTestContext, type NatsTestContext } from '@orch/testing';
import { AggregateRepository, CommandAppliedElsewhere, EventStore, ensureEventStream, UnsafeStreamError, WrongExpectedSequence, type CommandMeta } from './index';

// A counter aggregate: the smallest thing with state, enough to prove the store's guarantees.
const CounterEvent = z.object({ type: z.literal('orchestration.counter.incremented'), data: z.object({ by: z.number() }) });
type CounterEvent = z.infer<typeof CounterEvent>;
const counter = {
  type: 'counter',
  initialState: () => ({ total: 0 }),
  evolve: (s: { total: number }, e: CounterEvent) => ({ total: s.total + e.data.by }),
  eventSchema: CounterEvent,
};
const increment = (): CounterEvent[] => [{ type: 'orchestration.counter.incremented', data: { by: 1 } }];

const meta = (commandId = randomUUID()): CommandMeta => ({
  actor: { kind: 'agent', id: 'tester' },
  commandId,
  correlationId: commandId,
  issuedAt: new Date().toISOString(),
});

describe('the event store on JetStream', () => {
  let ctx: NatsTestContext;
  let store: EventStore;
  const repo = () => new AggregateRepository(store, ctx.subjects, counter);

  beforeAll(async () => {
    ctx = await natsTestContext();
    await ensureEventStream(ctx.jsm, { stream: ctx.stream, subjects: ctx.subjects, replicas: 1, duplicateWindowMs: 120_000 });
    store = new EventStore(ctx.js, ctx.jsm, ctx.stream);
  });
  afterAll(() => ctx.close());

  describe('stream bootstrap', () => {
    it('creates the stream with the settings of a log, and is idempotent', async () => {
      const again = await ensureEventStream(ctx.jsm, { stream: ctx.stream, subjects: ctx.subjects, replicas: 1, duplicateWindowMs: 120_000 });
      expect(again.config).toMatchObject({
        discard: DiscardPolicy.New,
        deny_delete: true,
        deny_purge: true,
        allow_direct: true,
        max_msgs_per_subject: -1,
        max_age: 0,
        duplicate_window: 120_000 * 1_000_000,
        subjects: [ctx.subjects.allEvents],
      });
    });

    it('refuses to start against an existing stream that would discard history', async () => {
      const name = `${ctx.stream}_UNSAFE`;
      await ctx.jsm.streams.add({ name, subjects: [`${ctx.subjects.prefix}x.evt.>`], discard: DiscardPolicy.Old });
      try {
        const attempt = ensureEventStream(ctx.jsm, {
          stream: name,
          subjects: new (ctx.subjects.constructor as typeof import('@orch/contracts').Subjects)(`${ctx.subjects.prefix}x`),
          replicas: 1,
          duplicateWindowMs: 120_000,
        });
        await expect(attempt).rejects.toThrow(UnsafeStreamError);
        await expect(attempt).rejects.toThrow(/discard is old, must be new/);
        const untouched = await ctx.jsm.streams.info(name);
        expect(untouched.config.discard).toBe(DiscardPolicy.Old);
      } finally {
        await ctx.jsm.streams.delete(name);
      }
    });
  });

  describe('when JetStream answers with an error', () => {
    it('answers "not yet" while the stream is not there (as during a nats-server restart): a 503 to retry, not a 500', async () => {
      const missing = new EventStore(ctx.js, ctx.jsm, `${ctx.stream}_NOT_YET`);
      const reading = missing.readSubject(ctx.subjects.aggregate('counter', 'x'));
      await expect(reading).rejects.toBeInstanceOf(UnavailableError);
      await expect(reading).rejects.toMatchObject({ code: 'EVENT_LOG.UNAVAILABLE', status: 503 });
    });

    it('names a refusal it did not plan for, with what JetStream said', async () => {
      // The subject belongs to this test's stream, but the store expects another one.
      const wrong = new EventStore(ctx.js, ctx.jsm, `${ctx.stream}_OTHER`);
      const env = (await repo().execute(`refused-${randomUUID()}`, meta(), increment)).events[0]!;
      const append = wrong.append(ctx.subjects.aggregate('counter', `refused-${randomUUID()}`), { events: [env] }, { expectedLastSubjectSeq: 0, commandId: randomUUID(), correlationId: 'c' });
      await expect(append).rejects.toBeInstanceOf(InternalError);
      await expect(append).rejects.toMatchObject({ code: 'EVENT_LOG.REFUSED', message: expect.stringMatching(/^JetStream refused to append to the event log: .*stream.* \(error \d+\)$/) });
    });
  });

  describe('appending commits', () => {
    it('appends a new aggregate with expected subject sequence 0, and refuses 0 once it exists', async () => {
      const subject = ctx.subjects.aggregate('counter', `new-${randomUUID()}`);
      const env = (await repo().execute('x', meta(), increment)).events[0]!;
      const first = await store.append(subject, { events: [env] }, { expectedLastSubjectSeq: 0, commandId: randomUUID(), correlationId: 'c' });
      expect(first.seq).toBeGreaterThan(0);
      await expect(
        store.append(subject, { events: [env] }, { expectedLastSubjectSeq: 0, commandId: randomUUID(), correlationId: 'c' }),
      ).rejects.toThrow(WrongExpectedSequence);
    });

    it('keeps every update of 20 concurrent writers: the final version is the number of accepted commands', async () => {
      const id = `race-${randomUUID()}`;
      // Each writer has its own repository, as separate service instances would.
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => repo().execute(id, meta(), increment)));
      const accepted = results.filter((r) => r.status === 'fulfilled').length;
      const rejected = results.filter((r) => r.status === 'rejected');
      for (const r of rejected) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
      const loaded = await repo().load(id);
      expect(loaded.version).toBe(accepted);
      expect(loaded.state.total).toBe(accepted);
      expect(accepted).toBeGreaterThanOrEqual(5);
    });

    it('lets all 20 concurrent writers through when they may retry long enough', async () => {
      const id = `retry-${randomUUID()}`;
      await Promise.all(Array.from({ length: 20 }, () => repo().execute(id, meta(), increment, { maxAttempts: 25 })));
      const loaded = await repo().load(id);
      expect(loaded.version).toBe(20);
      expect(loaded.state.total).toBe(20);
    });

    it('queues the commands of one aggregate within one instance: 20 at once all pass on their first attempt', async () => {
      const id = `queued-${randomUUID()}`;
      const shared = repo();
      await Promise.all(Array.from({ length: 20 }, () => shared.execute(id, meta(), increment, { maxAttempts: 1 })));
      expect((await repo().load(id)).version).toBe(20);
    });

    it('writes a retried command id once, and answers the retry with the original commit', async () => {
      const id = `dup-${randomUUID()}`;
      const m = meta();
      const first = await repo().execute(id, m, increment);
      const retrySameInstance = await repo().execute(id, m, increment);
      const [a, b] = await Promise.all([repo().execute(id, m, increment), repo().execute(id, m, increment)]);
      for (const r of [retrySameInstance, a, b]) {
        expect(r.duplicate).toBe(true);
        expect(r.seq).toBe(first.seq);
      }
      expect((await repo().load(id)).version).toBe(1);
    });

    it('refuses to answer a retry from an aggregate its first run did not write to, and names the one it did', async () => {
      // A retried command aimed at another aggregate (e.g. a key made from the request's time): the
      // stream knows the command id, but its state is not this aggregate's.
      const first = `first-${randomUUID()}`;
      const m = meta();
      const original = await repo().execute(first, m, increment);
      const retry = repo().execute(`second-${randomUUID()}`, m, increment, { expectNew: true });
      await expect(retry).rejects.toBeInstanceOf(CommandAppliedElsewhere);
      await expect(retry).rejects.toMatchObject({ code: 'COMMAND.APPLIED_ELSEWHERE', status: 409, message: expect.stringContaining(`counter ${first}`), commit: { seq: original.seq } });
      expect((await repo().load(first)).version).toBe(1);
    });

    it('deduplicates a retry at the stream too, when two instances race with the same command id', async () => {
      const id = `dup-race-${randomUUID()}`;
      const m = meta();
      const results = await Promise.all(Array.from({ length: 5 }, () => repo().execute(id, m, increment)));
      expect(new Set(results.map((r) => r.seq)).size).toBe(1);
      expect((await repo().load(id)).version).toBe(1);
    });

    it('answers 409 when the reloaded state no longer allows a command about a particular state', async () => {
      const id = `state-${randomUUID()}`;
      await repo().execute(id, meta(), increment);
      const stale = repo();
      await stale.load(id); // caches version 1
      await repo().execute(id, meta(), increment); // another instance moves it to 2
      const onlyAtOne = (s: { total: number }) => {
        if (s.total !== 1) throw new ConflictError('COUNTER.MOVED_ON', `counter is at ${s.total}, not 1`);
        return increment();
      };
      await expect(stale.execute(id, meta(), onlyAtOne)).rejects.toMatchObject({ code: 'COUNTER.MOVED_ON' });
      expect((await repo().load(id)).version).toBe(2);
    });

    it('decides a refusal on the latest state, not on what an instance cached before another one wrote', async () => {
      const id = `fresh-${randomUUID()}`;
      await repo().execute(id, meta(), increment);
      const stale = repo();
      await stale.load(id); // caches total 1
      await repo().execute(id, meta(), increment); // another instance moves it to 2
      const onlyAtTwo = (s: { total: number }) => {
        if (s.total !== 2) throw new ConflictError('COUNTER.NOT_TWO', `counter is at ${s.total}, not 2`);
        return increment();
      };
      await expect(stale.execute(id, meta(), onlyAtTwo)).resolves.toMatchObject({ version: 3 });
    });

    it('answers a decision that writes nothing, and If-Match, from the latest state too', async () => {
      const id = `noop-${randomUUID()}`;
      await repo().execute(id, meta(), increment);
      const stale = repo();
      await stale.load(id);
      await repo().execute(id, meta(), increment);
      await expect(stale.execute(id, meta(), () => [])).resolves.toMatchObject({ version: 2, events: [] });
      await repo().execute(id, meta(), increment); // version 3, unseen by `stale`
      await expect(stale.execute(id, { ...meta(), expectedVersion: 3 }, increment)).resolves.toMatchObject({ version: 4 });
    });

    it('creates without reading the log when told the id is new, and falls back to a reload when it is not', async () => {
      const id = `new-${randomUUID()}`;
      const created = await repo().execute(id, meta(), increment, { expectNew: true });
      expect(created.version).toBe(1);
      const onlyNew = (s: { total: number }) => {
        if (s.total > 0) throw new ConflictError('COUNTER.EXISTS', 'exists');
        return increment();
      };
      await expect(repo().execute(id, meta(), onlyNew, { expectNew: true })).rejects.toMatchObject({ code: 'COUNTER.EXISTS' });
      const retry = await repo().execute(id, { ...meta(), commandId: created.events[0]!.commandId }, increment, { expectNew: true });
      expect(retry).toMatchObject({ duplicate: true, seq: created.seq });
      expect((await repo().load(id)).version).toBe(1);
    });

    it('answers 412 when If-Match names a version that is not the current one', async () => {
      const id = `ifmatch-${randomUUID()}`;
      await repo().execute(id, meta(), increment);
      await expect(repo().execute(id, { ...meta(), expectedVersion: 0 }, increment)).rejects.toBeInstanceOf(PreconditionFailedError);
      await expect(repo().execute(id, { ...meta(), expectedVersion: 1 }, increment)).resolves.toMatchObject({ version: 2 });
    });

    it('reads the cache without the log when it holds the expected version, and still answers 412 when it was behind', async () => {
      const id = `expect-${randomUUID()}`;
      const mine = repo();
      await mine.execute(id, meta(), increment); // version 1, cached here
      const reads = jest.spyOn(store, 'readSubject');
      try {
        expect((await mine.loadExpecting(id, 1)).version).toBe(1);
        expect(reads).not.toHaveBeenCalled();
        expect((await mine.loadExpecting(id, 2)).version).toBe(1); // not what the caller expects: read from the log
        expect(reads).toHaveBeenCalledTimes(1);
      } finally {
        reads.mockRestore();
      }
      await repo().execute(id, meta(), increment); // another instance: version 2, unseen by `mine`
      expect((await mine.loadExpecting(id, 1)).version).toBe(1); // the stale cache answers...
      // ...but a write on it cannot pass: its append expects the cached sequence, the reload shows version 2.
      await expect(mine.execute(id, { ...meta(), expectedVersion: 1 }, increment)).rejects.toBeInstanceOf(PreconditionFailedError);
      expect((await repo().load(id)).version).toBe(2);
    });

    it('reads a long history whole and in order, from the start or after a point, and folds it like a short one', async () => {
      const id = `long-${randomUUID()}`;
      const other = `noise-${randomUUID()}`;
      const mine = repo();
      const noise = repo();
      // 120 commits of this aggregate, interleaved with another's: past the one-by-one reads.
      for (let i = 0; i < 120; i++) {
        await mine.execute(id, meta(), increment);
        await noise.execute(other, meta(), increment);
      }
      const subject = ctx.subjects.aggregate('counter', id);
      const all = await store.readSubject(subject);
      expect(all.map((c) => c.events[0]!.version)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
      expect(all.every((c) => c.subject === subject && typeof c.time === 'string')).toBe(true);
      const seqs = all.map((c) => c.seq);
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
      // After a point (a cached aggregate catching up on more than a few commits).
      expect((await store.readSubject(subject, seqs[29]!)).map((c) => c.seq)).toEqual(seqs.slice(30));
      expect(await store.readSubject(subject, seqs[119]!)).toEqual([]);
      // A fresh instance folds the same state as the one that wrote it.
      expect((await repo().load(id)).state).toEqual({ total: 120 });
      expect((await repo().load(id)).version).toBe(120);
    });

    it.each(['a.b', 'a*', 'a>', 'a b', 'tab\tid', '', '.'])('refuses the id %j before touching the stream', async (bad) => {
      const before = await store.lastSeq();
      await expect(repo().execute(bad, meta(), increment)).rejects.toBeInstanceOf(ValidationError);
      await expect(repo().execute(bad, meta(), increment)).rejects.toMatchObject({ code: 'ID.INVALID' });
      expect(await store.lastSeq()).toBe(before);
    });
  });
});
