import { randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  SessionLogRoutes, SessionLogSubjects, SessionRoutes, Subjects, type Actor, type AppendSessionLogsReply, type RpcRoute, type SessionLogLineInput, type SessionLogPage, type SessionLogStats, type SessionReply,
} from '@orch/contracts';
import { RpcClient } from '@orch/messaging';
import { startService, type RunningService } from '@orch/service-kit';
import { isolatedEnv, TEST_NATS_URL, uniqueToken, waitFor, type IsolatedEnv } from '@orch/testing';
import { sessionServiceSpec } from '../app.module';
import { FakePlanner } from '../testing/fake-planner';
import { PageBuilder, filterOf } from './log-query';
import { SessionLogStore } from './log-store';
import { ensureSessionLogStream, SessionLogStreamError, type SessionLogStreamOptions } from './log-stream';

const agent = (id: string): Actor => ({ kind: 'agent', id, role: 'agent' });
const ADMIN: Actor = { kind: 'human', id: 'ops', role: 'admin' };
const VIEWER: Actor = { kind: 'human', id: 'eyes', role: 'viewer' };
const DAY_MS = 24 * 3600 * 1000;

/**
 * The session logs on the real NATS server (and the real session service in-process): appends,
 * filters, paging, stats, redaction, access, idempotent retries, garbage on the subject, and the
 * stream's retention by age and by size on streams made with tiny limits.
 */
describe('session logs (real NATS, Postgres, Redis)', () => {
  let iso: IsolatedEnv;
  let service: RunningService;
  let rpc: RpcClient;
  let planner: FakePlanner;

  const call = async <T>(route: RpcRoute, payload: object, actor: Actor = agent('agent-1'), commandId: string = randomUUID()) =>
    (await rpc.call(route, payload, { meta: { actor, commandId, issuedAt: new Date().toISOString() }, correlationId: randomUUID() })).value as T;
  const fails = (p: Promise<unknown>) => p.then(() => expect('it').toBe('refused'), (e) => e);
  const start = async (code: string, actor: Actor = agent('agent-1')) => {
    planner.add(code);
    return (await call<SessionReply>(SessionRoutes.start as RpcRoute, { taskCode: code }, actor)).session.sessionKey;
  };
  const append = (sessionKey: string, lines: SessionLogLineInput[], actor?: Actor, commandId?: string) => call<AppendSessionLogsReply>(SessionLogRoutes.append, { sessionKey, body: { lines } }, actor, commandId);
  const list = (sessionKey: string, query: object = {}, actor?: Actor) => call<SessionLogPage>(SessionLogRoutes.list, { sessionKey, query }, actor);
  const stats = (sessionKey: string, actor?: Actor) => call<SessionLogStats>(SessionLogRoutes.stats, { sessionKey }, actor);
  const info = (level: SessionLogLineInput['level'], message: string, source: SessionLogLineInput['source'] = 'agent'): SessionLogLineInput => ({ level, source, message });

  beforeAll(async () => {
    iso = isolatedEnv();
    service = await startService(sessionServiceSpec(), iso.env);
    rpc = new RpcClient(service.infra.nc, service.infra.subjects);
    planner = new FakePlanner(service.infra.nc, service.infra.subjects);
  });

  afterAll(async () => {
    planner?.close();
    await service?.close();
    await iso?.cleanup();
  });

  it('creates its own stream at start-up: limits-based, oldest dropped first, 14 days and 1 GiB by default, on the deployment prefix', async () => {
    const stream = await service.infra.jsm.streams.info(`${iso.env.NATS_STREAM}_LOGS`);
    expect(stream.config).toMatchObject({
      subjects: [`${iso.env.NATS_SUBJECT_PREFIX}.logs.>`],
      retention: 'limits',
      discard: 'old',
      storage: 'file',
      max_age: 14 * DAY_MS * 1e6,
      max_bytes: 1024 ** 3,
    });
    const events = await service.infra.jsm.streams.info(iso.env.NATS_STREAM!);
    expect(events.config.subjects).not.toContain(`${iso.env.NATS_SUBJECT_PREFIX}.logs.>`);
  });

  it('stores a batch in order on the session\'s own subject, never on the event log, and reads it back', async () => {
    const key = await start('TSK-LOG1');
    const eventsBefore = (await service.infra.jsm.streams.info(iso.env.NATS_STREAM!)).state.messages;
    const reply = await append(key, [info('info', 'starting'), { ...info('error', 'tests failed'), at: '2026-01-01T10:00:00.000Z', context: { suite: 'unit', failed: 3 } }]);
    expect(reply).toMatchObject({ sessionKey: key, accepted: 2, redactions: 0, warnings: [] });
    expect((await service.infra.jsm.streams.info(iso.env.NATS_STREAM!)).state.messages).toBe(eventsBefore);
    const stored = await service.infra.jsm.streams.getMessage(`${iso.env.NATS_STREAM}_LOGS`, { last_by_subj: SessionLogSubjects.of(service.infra.subjects, key) });
    expect(stored!.seq).toBe(Number(reply.last.split(':')[0]));

    const page = await list(key);
    expect(page.items.map((l) => [l.cursor, l.level, l.message])).toEqual([[reply.first, 'info', 'starting'], [reply.last, 'error', 'tests failed']]);
    expect(page.items[1]).toMatchObject({ at: '2026-01-01T10:00:00.000Z', context: { suite: 'unit', failed: 3 }, receivedAt: expect.any(String) });
    expect(page).toMatchObject({ next: reply.last, more: false });
  });

  it('filters by lowest level, source and a case-insensitive substring, and pages with the cursor', async () => {
    const key = await start('TSK-LOG2');
    await append(key, [info('debug', 'cache warm'), info('info', 'Compiling src/a.ts'), info('warn', 'slow test', 'task'), info('error', 'TypeError in src/A.ts', 'task'), info('critical', 'out of memory', 'system')]);
    await append(key, [info('info', 'retrying'), info('error', 'still failing in src/a.ts')]);

    expect((await list(key, { level: 'warn' })).items.map((l) => l.level)).toEqual(['warn', 'error', 'critical', 'error']);
    expect((await list(key, { source: 'task' })).items.map((l) => l.message)).toEqual(['slow test', 'TypeError in src/A.ts']);
    expect((await list(key, { q: 'SRC/A.TS' })).items.map((l) => l.message)).toEqual(['Compiling src/a.ts', 'TypeError in src/A.ts', 'still failing in src/a.ts']);
    expect((await list(key, { q: 'src/a.ts', level: 'error', source: 'agent' })).items.map((l) => l.message)).toEqual(['still failing in src/a.ts']);

    const seen: string[] = [];
    let since: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await list(key, { limit: 3, ...(since ? { since } : {}) });
      seen.push(...page.items.map((l) => l.message));
      if (!page.more) break;
      since = page.next!;
    }
    expect(seen).toEqual(['cache warm', 'Compiling src/a.ts', 'slow test', 'TypeError in src/A.ts', 'out of memory', 'retrying', 'still failing in src/a.ts']);
    const caughtUp = await list(key, { since: (await list(key)).next! });
    expect([caughtUp.items, caughtUp.next]).toEqual([[], null]);
  });

  it('reads lines received since a time, and nothing from the future', async () => {
    const key = await start('TSK-LOG3');
    await append(key, [info('info', 'before')]);
    const firstReceived = (await list(key)).items[0]!.receivedAt;
    const boundary = new Date(Date.parse(firstReceived) + 1).toISOString();
    await waitFor('the clock to pass the first line', () => Date.now() > Date.parse(boundary) + 1);
    await append(key, [info('info', 'after')]);
    expect((await list(key, { since: boundary })).items.map((l) => l.message)).toEqual(['after']);
    expect((await list(key, { since: new Date(Date.now() + 60_000).toISOString() })).items).toEqual([]);
  });

  it('pages through more lines than one page holds (what the export streams)', async () => {
    const key = await start('TSK-LOG4');
    for (let b = 0; b < 5; b++) await append(key, Array.from({ length: 500 }, (_, i) => info(i % 10 === 0 ? 'error' : 'info', `batch ${b} line ${i}`)));
    const all: string[] = [];
    let page = await list(key, { limit: 1000 });
    all.push(...page.items.map((l) => l.message));
    while (page.more) {
      page = await list(key, { limit: 1000, since: page.next });
      all.push(...page.items.map((l) => l.message));
    }
    expect(all).toHaveLength(2500);
    expect(new Set(all).size).toBe(2500);
    expect(all[0]).toBe('batch 0 line 0');
    expect(all[2499]).toBe('batch 4 line 499');

    const s = await stats(key);
    expect(s).toMatchObject({ total: 2500, byLevel: { info: 2250, error: 250, debug: 0, warn: 0, critical: 0 }, bySource: { agent: 2500, task: 0 }, errorRate: 0.1 });
    expect(Date.parse(s.lastAt!)).toBeGreaterThanOrEqual(Date.parse(s.firstAt!));
  });

  it('redacts secrets in messages and context before storing, and says how many', async () => {
    const key = await start('TSK-LOG5');
    const reply = await append(key, [
      { ...info('info', 'push with ghp_abcdefghijklmnopqrstuvwxyz0123456789 now'), context: { dsn: 'postgres://app:s3cretpassw0rd@db:5432/app' } },
      info('info', 'nothing secret here'),
    ]);
    expect(reply.redactions).toBe(2);
    expect(reply.warnings).toEqual(['2 secret(s) redacted from the lines before storing']);
    const raw = await service.infra.jsm.streams.getMessage(`${iso.env.NATS_STREAM}_LOGS`, { last_by_subj: SessionLogSubjects.of(service.infra.subjects, key) });
    const text = new TextDecoder().decode(raw!.data);
    expect(text).not.toContain('ghp_abcdefghijklmnopqrstuvwxyz0123456789');
    expect(text).not.toContain('s3cretpassw0rd');
    expect(text).toContain('nothing secret here');
  });

  it('answers 404 for an unknown session and 403 to an agent on another agent\'s session, writing nothing', async () => {
    const missing = 'sess_TSK-NOPE_20260101_000000';
    expect(await fails(append(missing, [info('info', 'x')]))).toMatchObject({ status: 404, code: 'SESSION.NOT_FOUND' });
    expect(await fails(list(missing))).toMatchObject({ status: 404 });
    expect(await fails(stats(missing))).toMatchObject({ status: 404 });
    const stored = await service.infra.jsm.streams.getMessage(`${iso.env.NATS_STREAM}_LOGS`, { last_by_subj: SessionLogSubjects.of(service.infra.subjects, missing) }).catch(() => null);
    expect(stored).toBeNull();

    const key = await start('TSK-LOG6', agent('agent-2'));
    await append(key, [info('info', 'mine')], agent('agent-2'));
    expect(await fails(append(key, [info('info', 'not yours')], agent('agent-1')))).toMatchObject({ status: 403, code: 'SESSION_LOGS.NOT_YOURS' });
    expect(await fails(list(key, {}, agent('agent-1')))).toMatchObject({ status: 403, code: 'SESSION_LOGS.NOT_YOURS' });
    expect(await fails(stats(key, agent('agent-1')))).toMatchObject({ status: 403 });
    expect((await list(key, {}, ADMIN)).items.map((l) => l.message)).toEqual(['mine']);
    expect((await stats(key, VIEWER)).total).toBe(1);
  });

  it('stores a retried append (same command id) once', async () => {
    const key = await start('TSK-LOG7');
    const commandId = randomUUID();
    const first = await append(key, [info('info', 'once')], undefined, commandId);
    const again = await append(key, [info('info', 'once')], undefined, commandId);
    expect(again).toMatchObject({ first: first.first, last: first.last });
    expect(again.warnings).toEqual([expect.stringContaining('stored once')]);
    expect((await list(key)).items).toHaveLength(1);
  });

  it('skips a message on the session\'s subject that is not a log chunk, and goes on', async () => {
    const key = await start('TSK-LOG8');
    await append(key, [info('info', 'one')]);
    await service.infra.js.publish(SessionLogSubjects.of(service.infra.subjects, key), new TextEncoder().encode('{garbage'));
    await append(key, [info('warn', 'two')]);
    expect((await list(key)).items.map((l) => l.message)).toEqual(['one', 'two']);
    expect((await stats(key)).total).toBe(2);
  });

  describe('retention', () => {
    let nc: NatsConnection;
    let jsm: JetStreamManager;
    const made: string[] = [];

    /** A stream of its own (own name and subject prefix: two streams may not share subjects). */
    const streamWith = async (limits: { maxAgeMs: number; maxBytes: number }) => {
      const token = uniqueToken();
      const subjects = new Subjects(`t${token}`);
      const opts: SessionLogStreamOptions = { stream: `T_${token}_LOGS`, subjects, replicas: 1, duplicateWindowMs: 120_000, ...limits };
      made.push(opts.stream);
      await ensureSessionLogStream(jsm, opts);
      return { opts, store: new SessionLogStore(jetstream(nc), opts.stream, subjects) };
    };
    const read = async (store: SessionLogStore, key: string) => {
      const page = new PageBuilder(filterOf({}), null, 1000);
      await store.scan(key, null, (c) => page.add({ seq: c.seq, receivedAt: c.receivedAt, lines: c.lines! }));
      return page.items.map((l) => l.message);
    };
    const lines = (n: number, tag: string, size = 10) => Array.from({ length: n }, (_, i) => ({ level: 'info' as const, source: 'agent' as const, message: `${tag} ${i} ${'p'.repeat(size)}`, at: new Date().toISOString() }));

    beforeAll(async () => {
      nc = await connect({ servers: TEST_NATS_URL });
      jsm = await jetstreamManager(nc);
    });

    afterAll(async () => {
      for (const s of made) await jsm.streams.delete(s).catch(() => undefined);
      await nc?.close();
    });

    it('drops lines older than the age limit', async () => {
      const { store } = await streamWith({ maxAgeMs: 1_500, maxBytes: 1024 ** 2 });
      const key = 'sess_TSK-AGE_20260101_000000';
      await store.append(key, lines(3, 'old'), { commandId: randomUUID(), actorId: 'a' });
      expect(await read(store, key)).toHaveLength(3);
      await waitFor('the old lines to age out', async () => (await read(store, key)).length === 0, { timeoutMs: 15_000, intervalMs: 200 });
      await store.append(key, lines(2, 'new'), { commandId: randomUUID(), actorId: 'a' });
      expect((await read(store, key)).map((m) => m.split(' ')[0])).toEqual(['new', 'new']);
    });

    it('drops the oldest lines once the stream passes its size limit, keeping the newest', async () => {
      const { opts, store } = await streamWith({ maxAgeMs: DAY_MS, maxBytes: 64 * 1024 });
      const key = 'sess_TSK-SIZE_20260101_000000';
      for (let b = 0; b < 10; b++) await store.append(key, lines(10, `b${b}`, 1_000), { commandId: randomUUID(), actorId: 'a' });
      const kept = await read(store, key);
      const info = await jsm.streams.info(opts.stream);
      expect(info.state.bytes).toBeLessThanOrEqual(64 * 1024);
      expect(kept.length).toBeLessThan(100);
      expect(kept.length).toBeGreaterThan(0);
      expect(kept[kept.length - 1]).toMatch(/^b9 9 /);
      expect(kept.some((m) => m.startsWith('b0 '))).toBe(false);
    });

    it('brings an existing stream to new limits at start-up, and refuses one it cannot use', async () => {
      const { opts } = await streamWith({ maxAgeMs: DAY_MS, maxBytes: 1024 ** 2 });
      await ensureSessionLogStream(jsm, { ...opts, maxAgeMs: 2 * DAY_MS, maxBytes: 2 * 1024 ** 2 });
      expect((await jsm.streams.info(opts.stream)).config).toMatchObject({ max_age: 2 * DAY_MS * 1e6, max_bytes: 2 * 1024 ** 2 });
      await ensureSessionLogStream(jsm, { ...opts, maxAgeMs: 2 * DAY_MS, maxBytes: 2 * 1024 ** 2 }); // idempotent

      const token = uniqueToken();
      const wrong = `T_${token}_LOGS`;
      made.push(wrong);
      await jsm.streams.add({ name: wrong, subjects: [`t${token}.logs.>`], retention: 'workqueue' as never });
      await expect(ensureSessionLogStream(jsm, { ...opts, stream: wrong, subjects: new Subjects(`t${token}`) })).rejects.toThrow(/retention is workqueue, must be limits/);
      await expect(ensureSessionLogStream(jsm, { ...opts, stream: wrong, subjects: new Subjects(`t${token}`) })).rejects.toBeInstanceOf(SessionLogStreamError);
    });
  });
});
