/**
 * `node dist/bench/search.js` (or `BENCH_SEARCH_EVENTS=1000000 npm run bench`): the search
 * service at scale. Loads BENCH_SEARCH_EVENTS generated events (default 1,000,000) through the
 * projection's own code (PgApplier + eventsProjection, 500 commits per transaction, as the live
 * runner does), then measures uncached and cached search p95 per scope with common and rare
 * terms, the seeds' ILIKE design at project scope, summary p95, and the recall@20 of the
 * newest-window plan against exact ranking. The cached figure that counts is the one through the
 * service (`cachedServed`: what a caller sees); the in-process one only shows the cache's own
 * share. Writes bench/results/search-latest.json.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import pino from 'pino';
import { SearchRoutes, type SearchQuery, type SearchScope } from '@orch/contracts';
import { createDataSource, ensureSchema, runMigrations } from '@orch/database';
import { RpcClient } from '@orch/messaging';
import { PgApplier, ProjectionCheckpoints1700000000000, type BatchItem } from '@orch/projections';
import { startService } from '@orch/service-kit';
import { ScopeVersionBumper } from '../apps/search-service/src/index/scope-versions';
import { OrchestrationEvent, SearchTaskScope } from '../apps/search-service/src/read-model/entities';
import { eventsProjection } from '../apps/search-service/src/read-model/events.projection';
import { EventsReadModel1700000000200 } from '../apps/search-service/src/read-model/migrations/1700000000200-events-read-model';
import { SearchIndex1700000000210 } from '../apps/search-service/src/read-model/migrations/1700000000210-search-index';
import { SearchCache } from '../apps/search-service/src/search/search-cache';
import { SearchEngine } from '../apps/search-service/src/search/search-engine';
import { generateCommits, RARE_WORDS } from '../apps/search-service/src/testing/event-generator';
import { recallAt } from '../apps/search-service/src/relevance/metrics';
import { searchService } from '../apps/search-service/src/search-service';
import { percentile, round } from './stats';

const EVENTS = Number(process.env.BENCH_SEARCH_EVENTS ?? 1_000_000);
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Reuse an already loaded schema (skips the load), e.g. to re-measure queries. */
const REUSE = process.env.BENCH_SEARCH_SCHEMA;
const KEEP = process.env.BENCH_SEARCH_KEEP === '1' || Boolean(REUSE);
const SAMPLES = Number(process.env.BENCH_SEARCH_SAMPLES ?? 200);
const schema = REUSE ?? `bench_search_${Date.now().toString(36)}`;
const log = (s: string) => process.stdout.write(`${s}\n`);

const COMMON = ['test', 'migration', 'fixed cache', 'retry backoff', '"phase validation"', 'session-repository.ts'];
const RARE = [...RARE_WORDS, 'kubernetes -flamegraph'];
/** Between the two (about 0.1-1 % of events): not in the issue's budget, measured to show the plans' weak spot. */
const MID = ['SyntaxError', 'ECONNREFUSED', '"duplicate key value"', 'apps/cli/src/cache/outbox.ts'];

export async function searchBench() {
  const ds = createDataSource({
    url: DATABASE_URL,
    schema,
    service: 'search-service',
    entities: [OrchestrationEvent, SearchTaskScope],
    migrations: [ProjectionCheckpoints1700000000000, EventsReadModel1700000000200, SearchIndex1700000000210],
  });
  await ensureSchema(DATABASE_URL, schema);
  await ds.initialize();
  await runMigrations(ds, schema);
  const redis = new Redis(REDIS_URL, { keyPrefix: `bench:${schema}:` });
  const logger = pino({ level: 'warn' });
  ds.subscribers.push(new ScopeVersionBumper(redis, logger));
  try {
    const projection = REUSE ? null : await load(ds);
    if (projection) log(`  projection: ${EVENTS} events in ${projection.seconds} s = ${projection.eventsPerSecond} events/s`);
    // Statistics for the planner and the match estimator, as autovacuum's ANALYZE keeps them. No
    // VACUUM: the GIN pending lists stay as the load left them (up to 4 MB each), as in live use.
    await ds.query('ANALYZE orchestration_events');
    await ds.query('ANALYZE search_scope_stats');
    const engine = new SearchEngine(ds, { halfLifeHours: Number(process.env.SEARCH_HALF_LIFE_HOURS ?? 72), window: Number(process.env.SEARCH_WINDOW ?? 500), smallScope: Number(process.env.SEARCH_SMALL_SCOPE ?? 5_000) });
    const ids = await scopeIds(ds);
    const uncached: Record<string, unknown> = {};
    for (const scope of ['SESSION', 'TASK', 'SPRINT', 'PROJECT'] as const) {
      for (const [kind, terms] of [['common', COMMON], ['rare', RARE], ['mid', MID]] as const) {
        const r = await latency(SAMPLES, (i) => engine.search(query(terms[i % terms.length]!, scope, ids[scope][i % ids[scope].length]!)));
        uncached[`${scope}/${kind}`] = r;
        log(`  uncached ${scope.padEnd(7)} ${kind.padEnd(6)} p50 ${r.p50} ms  p95 ${r.p95} ms  (${r.plans})`);
      }
    }
    const cache = new SearchCache(redis, { ttlSeconds: 3_600 }, logger);
    const cachedQueries = COMMON.map((t, i) => ({ ...query(t, i % 2 ? 'SPRINT' : 'PROJECT', i % 2 ? ids.SPRINT[0]! : null), noCache: false }));
    for (const q of cachedQueries) await cache.get(q, () => engine.search(q));
    const cached = await latency(SAMPLES * 5, (i) => cache.get(cachedQueries[i % cachedQueries.length]!, () => engine.search(cachedQueries[i % cachedQueries.length]!)));
    log(`  cached, in-process (SearchCache.get; not what a caller sees) p50 ${cached.p50} ms  p95 ${cached.p95} ms`);
    const served = await throughTheService(ids);
    log(`  CACHED AS SERVED (NATS request/reply to the search service; the figure that counts, target p95 <= 2 ms): p50 ${served.cached.p50} ms  p95 ${served.cached.p95} ms`);
    log(`  uncached PROJECT common as served: p50 ${served.uncachedProjectCommon.p50} ms  p95 ${served.uncachedProjectCommon.p95} ms`);
    const summary = await latency(SAMPLES, () => engine.summary('PROJECT', ''));
    log(`  summary PROJECT        p50 ${summary.p50} ms  p95 ${summary.p95} ms`);
    const ilike = await seedsComparison(ds, uncached);
    const recall = await windowRecall(engine, ids);
    log(`  recall@20 newest-window vs exact: mean ${recall.mean}, min ${recall.min} over ${recall.queries} queries`);
    const cachedServed = { p95: served.cached.p95, target: 2, met: served.cached.p95 <= 2, measuredAs: 'NATS request/reply to the search service, validated on both ends (served.cached)' };
    const results = { when: new Date().toISOString(), events: EVENTS, schema, projection, cachedServed, uncached, cachedInProcess: cached, served, summaryProject: summary, seedsIlikeProject: ilike, recall };
    // dist/bench/search.js when built, bench/search.ts when run from source: both write to <repo>/bench/results.
    const dir = join(__dirname, ...(/[\\/]dist[\\/]bench$/.test(__dirname) ? ['..', '..'] : ['..']), 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'search-latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    log('  results written to bench/results/search-latest.json');
    return results;
  } finally {
    if (!KEEP) await ds.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    else log(`  kept schema ${schema} (BENCH_SEARCH_SCHEMA=${schema} re-measures without loading)`);
    const plain = new Redis(REDIS_URL); // KEYS answers full keys; DEL without the prefix ioredis would add
    const keys = await plain.keys(`bench:${schema}:*`);
    if (keys.length) await plain.del(...keys);
    plain.disconnect();
    redis.disconnect();
    await ds.destroy();
  }
}

/**
 * The same searches as a caller sees them: the real search service (started in this process on
 * the loaded schema, with an empty stream of its own) answering over NATS request/reply.
 */
async function throughTheService(ids: Record<SearchScope, Array<string | null>>) {
  const token = randomUUID().slice(0, 8);
  const env = { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'warn', DATABASE_URL, DB_SCHEMA: schema, REDIS_URL, REDIS_PREFIX: `bench:${schema}:`, NATS_STREAM: `BENCH_SEARCH_${token}`, NATS_SUBJECT_PREFIX: `bs${token}` };
  const service = await startService(searchService, env);
  const rpc = new RpcClient(service.infra.nc, service.infra.subjects);
  const meta = () => ({ actor: { kind: 'agent' as const, id: 'bench' }, commandId: randomUUID(), issuedAt: new Date().toISOString() });
  const call = (q: SearchQuery) => rpc.call(SearchRoutes.search, q, { meta: meta(), correlationId: 'bench' }).then((r) => r.value);
  try {
    const cachedQueries = COMMON.map((t, i) => ({ ...query(t, i % 2 ? 'TASK' : 'PROJECT', i % 2 ? ids.TASK[i]! : null), noCache: false }));
    for (const q of cachedQueries) await call(q);
    // A running service's steady state: the warm-up lets V8 compile the path (zod, JSON, NATS),
    // which the first few hundred calls after a start otherwise pay inside the measurement.
    const cached = await latency(SAMPLES * 5, (i) => call(cachedQueries[i % cachedQueries.length]!), Number(process.env.BENCH_SEARCH_WARMUP ?? 200));
    const uncachedProjectCommon = await latency(SAMPLES, (i) => call(query(COMMON[i % COMMON.length]!, 'PROJECT', null)));
    return { cached, uncachedProjectCommon };
  } finally {
    await service.close();
    const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
    const jsm = await jetstreamManager(nc);
    for (const s of [env.NATS_STREAM, `${env.NATS_STREAM}_DLQ`]) await jsm.streams.delete(s).catch(() => undefined);
    await nc.close();
  }
}

const query = (q: string, scope: SearchScope, id: string | null): SearchQuery => ({ q, scope, id: id ?? undefined, limit: 20, summary: false, noCache: true });

/** The projection path: what the live runner does per pulled batch, minus NATS. */
async function load(ds: ReturnType<typeof createDataSource>) {
  const applier = new PgApplier(ds, eventsProjection);
  let batch: BatchItem[] = [];
  const started = performance.now();
  let done = 0;
  for (const commit of generateCommits({ events: EVENTS })) {
    batch.push({ seq: commit.seq, commit });
    if (batch.length === 500) {
      await applier.applyBatch(batch);
      done += batch.length;
      batch = [];
      if (done % 100_000 === 0) log(`    loaded ${done} events (${Math.round(done / ((performance.now() - started) / 1000))}/s)`);
    }
  }
  if (batch.length) await applier.applyBatch(batch);
  const seconds = (performance.now() - started) / 1000;
  return { seconds: round(seconds), eventsPerSecond: Math.round(EVENTS / seconds), batch: 500 };
}

async function scopeIds(ds: ReturnType<typeof createDataSource>): Promise<Record<SearchScope, Array<string | null>>> {
  const ids = async (scope: string) => (await ds.query(`SELECT scope_id FROM search_scope_stats WHERE scope = $1 GROUP BY scope_id ORDER BY md5(scope_id) LIMIT 50`, [scope])).map((r: { scope_id: string }) => r.scope_id);
  return { SESSION: await ids('SESSION'), TASK: await ids('TASK'), SPRINT: await ids('SPRINT'), PROJECT: [null] };
}

async function latency(n: number, op: (i: number) => Promise<unknown>, warmUp = 5) {
  const times: number[] = [];
  const plans = new Map<string, number>();
  for (let i = 0; i < Math.min(warmUp, n); i++) await op(i);
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = (await op(i)) as { plan?: string; route?: string };
    times.push(performance.now() - t);
    if (r?.plan) plans.set(r.route ?? r.plan, (plans.get(r.route ?? r.plan) ?? 0) + 1);
  }
  return { p50: round(percentile(times, 50), 2), p95: round(percentile(times, 95), 2), max: round(Math.max(...times), 2), samples: n, plans: [...plans].map(([p, c]) => `${p} ${c}`).join(', ') };
}

/** Rounds over each term set for the seeds' ILIKE (about 1.6 s a query at 1,000,000 events: 3 rounds ≈ 1 minute). */
const ILIKE_ROUNDS = Number(process.env.BENCH_SEARCH_ILIKE_ROUNDS ?? 3);

/**
 * The seeds' ILIKE against our uncached search, both at project scope over the same term sets
 * (common and rare, every term of each set `ILIKE_ROUNDS` times), as the ratio of the p95s.
 */
async function seedsComparison(ds: ReturnType<typeof createDataSource>, uncached: Record<string, unknown>) {
  const out: Record<string, unknown> = {};
  for (const [kind, terms] of [['common', COMMON], ['rare', RARE]] as const) {
    const r = await latency(terms.length * ILIKE_ROUNDS, (i) => seedsIlike(ds, asSubstring(terms[i % terms.length]!)));
    const ours = (uncached[`PROJECT/${kind}`] as { p95: number }).p95;
    const ratio = Math.round(r.p95 / ours);
    out[kind] = { ...r, terms, oursP95: ours, ratioAtP95: ratio };
    log(`  seeds ILIKE PROJECT ${kind.padEnd(6)} p50 ${r.p50} ms  p95 ${r.p95} ms  (${r.samples} queries): ours is ${ratio}x faster at p95`);
  }
  return out;
}

/** What the seeds searched for: the query as a substring (no phrase quotes; they had no negation). */
const asSubstring = (term: string) => term.replace(/"/g, '').replace(/\s+-\S+/g, '').trim();

/** The seeds' design: ILIKE over the type and the payload text, no index, newest first. */
function seedsIlike(ds: ReturnType<typeof createDataSource>, term: string) {
  return ds.query(`SELECT seq, event_type, payload FROM orchestration_events WHERE event_type ILIKE $1 OR payload::text ILIKE $1 ORDER BY occurred_at DESC LIMIT 20`, [`%${term}%`]);
}

/** Recall@20 of the plan the service uses on large scopes against ranking every match. */
async function windowRecall(engine: SearchEngine, ids: Record<SearchScope, Array<string | null>>) {
  const values: number[] = [];
  for (const scope of ['SPRINT', 'PROJECT'] as const) {
    for (const [i, term] of [...COMMON, ...RARE.slice(0, 3)].entries()) {
      const q = query(term, scope, ids[scope][i % ids[scope].length]!);
      const exact = await engine.search(q, 'exact');
      const windowed = await engine.search(q, 'newest-window');
      if (exact.items.length === 0) continue;
      values.push(recallAt(exact.items.map((h) => h.id), windowed.items.map((h) => h.id), 20));
    }
  }
  return { mean: round(values.reduce((a, b) => a + b, 0) / values.length, 3), min: round(Math.min(...values), 3), queries: values.length };
}

if (require.main === module) {
  searchBench().then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`${(error as Error).stack}\n`);
      process.exit(1);
    },
  );
}
