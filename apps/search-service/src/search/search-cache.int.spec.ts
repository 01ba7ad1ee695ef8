import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import type { SearchQuery } from '@orch/contracts';
import { redisTestPrefix, TEST_REDIS_URL, waitFor } from '@orch/testing';
import { ScopeVersionBumper, scopeRef, versionKey } from '../index/scope-versions';
import { commitsOf, fixtureDb } from '../testing/fixture-db';
import { SearchCache } from './search-cache';
import { SearchEngine } from './search-engine';

/**
 * The cache against the real Redis when things go wrong: Redis losing the version keys, a
 * version bump that fails, a process that died between its commit and its bump, and several
 * processes missing the same query at once. A cached answer is never older than the scope.
 */
describe('the search cache, across Redis failures and processes', () => {
  const logger = pino({ level: 'silent' });
  const prefix = redisTestPrefix();
  const connections: Redis[] = [];
  const connect = () => {
    const r = new Redis(TEST_REDIS_URL, { keyPrefix: prefix, maxRetriesPerRequest: 0 });
    r.on('error', () => undefined);
    connections.push(r);
    return r;
  };
  let db: Awaited<ReturnType<typeof fixtureDb>>;
  let bumperRedis: Redis;
  let bumper: ScopeVersionBumper;
  let engine: SearchEngine;
  let cache: SearchCache;
  let seq = 0;

  /** A note in a task's session, applied by the projection (whose commit bumps the versions). */
  const note = async (taskCode: string, text: string) => {
    const sessionKey = `sess_${taskCode}_1`;
    const event = { id: randomUUID(), type: 'orchestration.session.note_added', aggregateType: 'session', aggregateId: sessionKey, occurredAt: new Date().toISOString(), data: { sessionKey, taskCode, sprintCode: null, text } };
    await db.load(commitsOf([event], ++seq));
  };
  const query = (text: string, taskCode: string): SearchQuery => ({ q: text, scope: 'TASK', id: taskCode, limit: 20, summary: false, noCache: false });
  const search = (c: SearchCache, q: SearchQuery) => c.get(q, () => engine.search(q));
  const texts = (r: { items: Array<{ data: Record<string, unknown> }> }) => r.items.map((h) => h.data.text).sort();

  beforeAll(async () => {
    db = await fixtureDb();
    bumperRedis = connect();
    bumper = new ScopeVersionBumper(bumperRedis, logger, 50);
    db.ds.subscribers.push(bumper);
    await bumper.newEpoch();
    engine = new SearchEngine(db.ds, { halfLifeHours: 72, window: 500, smallScope: 5_000 });
    cache = new SearchCache(connect(), { ttlSeconds: 60, trusted: () => !bumper.owesEpoch }, logger);
  }, 30_000);

  afterAll(async () => {
    const keys = await connections[1]!.keys(`${prefix}*`);
    if (keys.length) await connections[1]!.del(...keys.map((k) => k.slice(prefix.length)));
    for (const c of connections) c.disconnect();
    await db?.close();
  });

  it('never serves an answer cached before Redis lost the scope’s version (eviction, restart, flush)', async () => {
    await note('TSK-EVICT', 'Rollback one');
    const first = await search(cache, query('rollback', 'TSK-EVICT'));
    expect(first).toMatchObject({ cached: false });
    expect(await search(cache, query('rollback', 'TSK-EVICT'))).toMatchObject({ cached: true });
    await connections[1]!.del(versionKey(scopeRef('TASK', 'TSK-EVICT')));
    await note('TSK-EVICT', 'Rollback two'); // recreates the version key
    expect(bumper.owesEpoch).toBe(false); // the bump itself succeeded: only the version's history was lost
    const after = await search(cache, query('rollback', 'TSK-EVICT'));
    expect({ cached: after.cached, texts: texts(after) }).toEqual({ cached: false, texts: ['Rollback one', 'Rollback two'] });
    expect(after.version).toBeGreaterThan(first.version);
  });

  it('answers uncached while Redis has no version for the scope, then caches again', async () => {
    await note('TSK-LOST', 'Deploy one');
    await search(cache, query('deploy', 'TSK-LOST'));
    await connections[1]!.del(versionKey(scopeRef('TASK', 'TSK-LOST')), 'search:epoch');
    expect(await search(cache, query('deploy', 'TSK-LOST'))).toMatchObject({ cached: false });
    expect(await search(cache, query('deploy', 'TSK-LOST'))).toMatchObject({ cached: false }); // first answer at the new generation
    expect(await search(cache, query('deploy', 'TSK-LOST'))).toMatchObject({ cached: true, items: [{ data: { text: 'Deploy one' } }] });
  });

  it('leaves no lasting key behind for a scope asked about that has no events (ids come from callers)', async () => {
    await search(cache, query('deploy', 'TSK-NOBODY'));
    const key = versionKey(scopeRef('TASK', 'TSK-NOBODY'));
    const ttl = await connections[1]!.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60); // the cache's TTL
    await note('TSK-LASTING', 'Deploy three'); // a version the projector makes does not expire
    expect(await connections[1]!.ttl(versionKey(scopeRef('TASK', 'TSK-LASTING')))).toBe(-1);
  });

  it('answers uncached while a failed version bump is owed, and caches again once the epoch is bumped', async () => {
    await note('TSK-DOWN', 'Canary one');
    await search(cache, query('canary', 'TSK-DOWN'));
    expect(await search(cache, query('canary', 'TSK-DOWN'))).toMatchObject({ cached: true });
    bumperRedis.disconnect(); // the projection's Redis is gone; reads still answer
    await note('TSK-DOWN', 'Canary two');
    expect(bumper.owesEpoch).toBe(true);
    const during = await search(cache, query('canary', 'TSK-DOWN'));
    expect({ cached: during.cached, texts: texts(during) }).toEqual({ cached: false, texts: ['Canary one', 'Canary two'] });
    await bumperRedis.connect();
    await waitFor('the owed epoch to be bumped', () => !bumper.owesEpoch);
    await search(cache, query('canary', 'TSK-DOWN'));
    const again = await search(cache, query('canary', 'TSK-DOWN'));
    expect({ cached: again.cached, texts: texts(again) }).toEqual({ cached: true, texts: ['Canary one', 'Canary two'] });
  });

  it('drops every entry when a process starts after dying between a commit and its version bump', async () => {
    await note('TSK-CRASH', 'Hotfix one');
    await search(cache, query('hotfix', 'TSK-CRASH'));
    db.ds.subscribers.splice(db.ds.subscribers.indexOf(bumper), 1); // the commit happens, the bump never does
    try {
      await note('TSK-CRASH', 'Hotfix two');
    } finally {
      db.ds.subscribers.push(bumper);
    }
    await new ScopeVersionBumper(connect(), logger).newEpoch(); // what the restarted process does first
    expect(texts(await search(cache, query('hotfix', 'TSK-CRASH')))).toEqual(['Hotfix one', 'Hotfix two']);
  });

  describe('with two search processes sharing the Redis', () => {
    const counted = (e: SearchEngine, calls: { n: number }) => (q: SearchQuery) => () => {
      calls.n++;
      return e.search(q);
    };

    it('computes a query that both miss at once only once', async () => {
      await note('TSK-TWO', 'Backfill one');
      const calls = { n: 0 };
      const a = new SearchCache(connect(), { ttlSeconds: 60 }, logger);
      const b = new SearchCache(connect(), { ttlSeconds: 60 }, logger);
      const [ea, eb] = [new SearchEngine(db.ds, { halfLifeHours: 72, window: 500, smallScope: 5_000 }), new SearchEngine(db.ds, { halfLifeHours: 72, window: 500, smallScope: 5_000 })];
      const q = query('backfill', 'TSK-TWO');
      const answers = await Promise.all([a, b, a, b].map((c, i) => c.get(q, counted(i % 2 ? eb : ea, calls)(q))));
      expect(calls.n).toBe(1);
      expect(answers.map(texts)).toEqual(Array(4).fill(['Backfill one']));
    });

    it('takes over when the process computing it dies (its lock expires)', async () => {
      await note('TSK-DEAD', 'Reindex one');
      const q = query('reindex', 'TSK-DEAD');
      const dying = new SearchCache(connect(), { ttlSeconds: 60, lockMs: 300 }, logger);
      void dying.get(q, () => new Promise<never>(() => undefined)); // holds the lock, never answers
      await waitFor('the dying process to hold the lock', async () => (await connections[1]!.keys(`${prefix}search:lock:TASK:TSK-DEAD:*`)).length > 0);
      const calls = { n: 0 };
      const survivor = new SearchCache(connect(), { ttlSeconds: 60 }, logger);
      expect(texts(await survivor.get(q, counted(engine, calls)(q)))).toEqual(['Reindex one']);
      expect(calls.n).toBe(1);
    });
  });
});
