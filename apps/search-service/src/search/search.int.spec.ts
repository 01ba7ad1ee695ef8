import { randomUUID } from 'node:crypto';
import { SearchRoutes, type RpcMeta, type SearchQuery, type SearchResult } from '@orch/contracts';
import { RpcClient } from '@orch/messaging';
import { startService, type RunningService } from '@orch/service-kit';
import { isolatedEnv, type IsolatedEnv } from '@orch/testing';
import { searchService } from '../search-service';
import { LogWriter } from '../testing/log-writer';
import { SearchRpc } from './search.rpc';

/**
 * The search service against real NATS, Postgres and Redis: the index and scope columns written
 * by the projection, scoped search, summaries from statistics, the never-stale cache, and bad input.
 */
describe('searching the history', () => {
  let iso: IsolatedEnv;
  let search: RunningService;
  let rpc: RpcClient;
  let log: LogWriter;
  let lastSeq = 0;
  const meta = (): RpcMeta => ({ actor: { kind: 'agent', id: 'a1' }, commandId: randomUUID(), issuedAt: new Date().toISOString(), minSeq: lastSeq });
  const find = async (q: Partial<SearchQuery> & { q: string }): Promise<SearchResult> => (await rpc.call(SearchRoutes.search, q, { meta: meta(), correlationId: 'c' })).value;
  const types = (r: SearchResult) => r.items.map((h) => h.type);
  const wrote = (seq: number) => (lastSeq = Math.max(lastSeq, seq));

  beforeAll(async () => {
    iso = isolatedEnv();
    search = await startService(searchService, iso.env);
    rpc = new RpcClient(search.infra.nc, search.infra.subjects);
    log = new LogWriter(search.infra);
    wrote(await log.append('sprint', 'SPR-A', [{ type: 'orchestration.sprint.created', data: { code: 'SPR-A', title: 'Auth sprint', goal: null, status: 'PLANNED' } }]));
    wrote(await log.append('task', 'TSK-A1', [{ type: 'orchestration.task.created', data: { code: 'TSK-A1', sprintCode: 'SPR-A', title: 'Rotate API keys', description: 'keys leak into logs', status: 'BACKLOG' } }]));
    wrote(await log.append('task', 'TSK-B1', [{ type: 'orchestration.task.created', data: { code: 'TSK-B1', sprintCode: null, title: 'Database migration for webhooks', description: '', status: 'BACKLOG' } }]));
    wrote(await log.session('sess_TSK-A1_1', 'TSK-A1', 'SPR-A', 'orchestration.session.note_added', { phase: 'implement', text: 'Migration of the api_keys table written in apps/gateway/src/auth/api-keys.ts' }));
    wrote(await log.session('sess_TSK-B1_1', 'TSK-B1', null, 'orchestration.session.note_added', { phase: 'implement', text: 'Migration of webhook_deliveries is slow' }));
    await search.projections.waitFor(lastSeq, 5_000);
  }, 30_000);

  afterAll(async () => {
    await search?.close();
    await iso?.cleanup();
  });

  it('stores a weighted vector and the scope columns with every event, in the projection’s transaction', async () => {
    const rows = await search.infra.dataSource!.query(
      `SELECT event_type, session_key, task_code, sprint_code, search_vector::text AS v FROM orchestration_events WHERE session_key = 'sess_TSK-A1_1'`,
    );
    expect(rows).toEqual([{ event_type: 'orchestration.session.note_added', session_key: 'sess_TSK-A1_1', task_code: 'TSK-A1', sprint_code: 'SPR-A', v: expect.stringContaining("'migrat'") }]);
    expect(rows[0].v).toMatch(/'note':\d+A/); // type words weigh most
    expect(rows[0].v).toMatch(/'apps\/gateway\/src\/auth\/api-keys\.ts':\d+/);
    const idx = await search.infra.dataSource!.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'orchestration_events' AND indexdef LIKE '%gin%'`);
    expect(idx).toEqual([{ indexdef: expect.stringContaining('USING gin (((seq / 16384)), session_key, task_code, sprint_code, search_vector)') }]);
    const pending = await search.infra.dataSource!.query(`SELECT gin_clean_pending_list('orchestration_events_search_idx'::regclass) AS n`);
    expect(pending).toEqual([{ n: '0' }]); // merged by the projection at each batch: searches never scan a pending list
  });

  it('finds stemmed words in every scope, and nothing outside the scope asked for', async () => {
    const all = await find({ q: 'migrations' });
    expect(all.items.map((h) => h.taskCode).sort()).toEqual(['TSK-A1', 'TSK-B1', 'TSK-B1']);
    expect(all.items.every((h) => /«Migration»/.test(h.snippet) || h.type === 'orchestration.task.created')).toBe(true);
    const task = await find({ q: 'migrations', scope: 'TASK', id: 'TSK-A1' });
    expect(task.items.map((h) => h.sessionKey)).toEqual(['sess_TSK-A1_1']);
    const sprint = await find({ q: 'migration', scope: 'SPRINT', id: 'SPR-A' });
    expect(sprint.items.map((h) => h.taskCode)).toEqual(['TSK-A1']);
    const session = await find({ q: 'migration', scope: 'SESSION', id: 'sess_TSK-B1_1' });
    expect(session.items.map((h) => h.sessionKey)).toEqual(['sess_TSK-B1_1']);
    expect((await find({ q: 'migration', scope: 'TASK', id: 'TSK-NONE' })).items).toEqual([]);
  });

  it('finds a file by a partial path, and events by their type', async () => {
    for (const q of ['api-keys.ts', 'auth/api-keys.ts', 'apps/gateway/src/auth/api-keys.ts']) expect((await find({ q })).items.map((h) => h.sessionKey)).toEqual(['sess_TSK-A1_1']);
    expect(types(await find({ q: 'task created' }))).toEqual(['orchestration.task.created', 'orchestration.task.created']);
    expect(types(await find({ q: 'orchestration.sprint.created' }))).toEqual(['orchestration.sprint.created']);
  });

  it('answers a query of stop-words only, or of unbalanced syntax, without an error', async () => {
    expect(await find({ q: 'the of and' })).toMatchObject({ items: [], plan: 'empty', parsed: '' });
    for (const q of ['"unclosed ((', "'; DROP TABLE orchestration_events; --", 'a:* | & ! <-> \\', '%_%', '\u0000\u202e✓ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢']) {
      await expect(find({ q })).resolves.toMatchObject({ q: q.trim() });
    }
    expect((await search.infra.dataSource!.query('SELECT count(*)::int AS n FROM orchestration_events'))[0].n).toBe(5);
  });

  it('summarises a scope from the statistics kept by the projection', async () => {
    const r = await find({ q: 'anything', scope: 'SPRINT', id: 'SPR-A', summary: true });
    expect(r.summary).toMatchObject({
      total: 3,
      byType: [
        { type: 'orchestration.session.note_added', count: 1 },
        { type: 'orchestration.sprint.created', count: 1 },
        { type: 'orchestration.task.created', count: 1 },
      ],
    });
    expect(r.summary!.firstAt! <= r.summary!.lastAt!).toBe(true);
    const project = await find({ q: 'x', summary: true });
    expect(project.summary!.total).toBe(5);
  });

  it('serves a repeated search from the cache, and never a stale one: a new event in the scope shows at once', async () => {
    const first = await find({ q: 'rollback', scope: 'TASK', id: 'TSK-A1' });
    expect(first).toMatchObject({ cached: false, items: [] });
    expect(await find({ q: 'rollback', scope: 'TASK', id: 'TSK-A1' })).toMatchObject({ cached: true, version: first.version });
    const other = await find({ q: 'rollback', scope: 'TASK', id: 'TSK-B1' });
    wrote(await log.session('sess_TSK-A1_1', 'TSK-A1', 'SPR-A', 'orchestration.session.note_added', { phase: 'test', text: 'Rollback tested' }));
    const after = await find({ q: 'rollback', scope: 'TASK', id: 'TSK-A1' });
    expect(after).toMatchObject({ cached: false, items: [{ type: 'orchestration.session.note_added', snippet: '«Rollback» tested' }] });
    expect(after.version).toBeGreaterThan(first.version);
    expect(await find({ q: 'rollback', scope: 'TASK', id: 'TSK-B1' })).toMatchObject({ cached: true, version: other.version }); // another task's cache survives
    expect((await find({ q: 'rollback' })).items).toHaveLength(1); // project scope moved too
  });

  it('never serves a stale SESSION answer: a new event in the session shows at once', async () => {
    wrote(await log.session('sess_TSK-C1_1', 'TSK-C1', null, 'orchestration.session.note_added', { phase: 'test', text: 'Quarantine list started' }));
    const first = await find({ q: 'flaky', scope: 'SESSION', id: 'sess_TSK-C1_1' });
    expect(first).toMatchObject({ cached: false, items: [] });
    expect(await find({ q: 'flaky', scope: 'SESSION', id: 'sess_TSK-C1_1' })).toMatchObject({ cached: true, version: first.version });
    wrote(await log.session('sess_TSK-C1_1', 'TSK-C1', null, 'orchestration.session.note_added', { phase: 'test', text: 'Flaky test quarantined' }));
    const after = await find({ q: 'flaky', scope: 'SESSION', id: 'sess_TSK-C1_1' });
    expect(after).toMatchObject({ cached: false, items: [{ sessionKey: 'sess_TSK-C1_1', snippet: '«Flaky» test quarantined' }] });
    expect(after.version).toBeGreaterThan(first.version);
  });

  it('bypasses the cache with noCache, and keeps entries no longer than the TTL', async () => {
    await find({ q: 'keys' });
    expect(await find({ q: 'keys', noCache: true })).toMatchObject({ cached: false });
    const keys = await search.infra.redis!.keys(`${iso.env.REDIS_PREFIX}search:res:*`);
    expect(keys.length).toBeGreaterThan(0);
    const ttl = await search.infra.redis!.ttl(keys[0]!.slice(iso.env.REDIS_PREFIX!.length));
    expect(ttl).toBeGreaterThan(3_500);
    expect(ttl).toBeLessThanOrEqual(3_600);
  });

  it('computes concurrent misses of the same search once', async () => {
    const engine = search.app.get(SearchRpc).engine;
    const original = engine.search.bind(engine);
    let computed = 0;
    engine.search = async (...args) => {
      computed++;
      await new Promise((r) => setTimeout(r, 50)); // hold the computation so the others arrive during it
      return original(...args);
    };
    try {
      const answers = await Promise.all(Array.from({ length: 10 }, () => find({ q: 'webhook deliveries', limit: 7 })));
      expect(computed).toBe(1);
      expect(new Set(answers.map((a) => JSON.stringify(a.items))).size).toBe(1);
    } finally {
      engine.search = original;
    }
  });

  it('moves a task’s events with it when it changes sprint', async () => {
    wrote(await log.append('task', 'TSK-B1', [{ type: 'orchestration.task.updated', data: { changes: { sprintCode: 'SPR-A' } } }]));
    const r = await find({ q: 'webhook', scope: 'SPRINT', id: 'SPR-A', summary: true });
    expect(r.items.map((h) => h.taskCode)).toEqual(['TSK-B1', 'TSK-B1']);
    expect(r.summary!.total).toBe(7);
  });

  it('gives the same vectors and statistics when rebuilt from the log, and bumps the versions it replays', async () => {
    const ds = search.infra.dataSource!;
    const snapshot = async () => ({
      events: await ds.query('SELECT seq, event_index, sprint_code, search_vector::text AS v FROM orchestration_events ORDER BY seq, event_index'),
      stats: await ds.query('SELECT scope, scope_id, event_type, events, first_at, last_at FROM search_scope_stats ORDER BY 1, 2, 3'),
    });
    const live = await snapshot();
    const before = await find({ q: 'webhook', scope: 'SPRINT', id: 'SPR-A' });
    const runner = search.projections.get('search_events')!;
    await runner.rebuild();
    await runner.catchUp(10_000);
    expect(await snapshot()).toEqual(live);
    const after = await find({ q: 'webhook', scope: 'SPRINT', id: 'SPR-A' });
    expect(after.version).toBeGreaterThan(before.version);
    expect(after.items).toEqual(before.items.map((h) => ({ ...h, score: expect.any(Number) })));
  });

  it('refuses bad input, naming the field', async () => {
    const bad = (q: object) => rpc.call(SearchRoutes.search, q as SearchQuery, { meta: meta(), correlationId: 'c' });
    await expect(bad({ q: '' })).rejects.toMatchObject({ code: 'REQUEST.INVALID', errors: [expect.objectContaining({ path: 'q' })] });
    await expect(bad({ q: '   ' })).rejects.toMatchObject({ errors: [expect.objectContaining({ path: 'q' })] });
    await expect(bad({ q: 'x'.repeat(501) })).rejects.toMatchObject({ errors: [expect.objectContaining({ path: 'q', message: expect.stringContaining('500') })] });
    await expect(bad({ q: 'x', scope: 'GALAXY' })).rejects.toMatchObject({ errors: [expect.objectContaining({ path: 'scope' })] });
    await expect(bad({ q: 'x', scope: 'TASK' })).rejects.toMatchObject({ errors: [expect.objectContaining({ path: 'id', message: 'is required for scope TASK' })] });
    await expect(bad({ q: 'x', scope: 'TASK', id: "TSK-1' OR 1=1" })).rejects.toMatchObject({ errors: [expect.objectContaining({ path: 'id' })] });
    await expect(bad({ q: 'x', limit: 1000 })).rejects.toMatchObject({ errors: [expect.objectContaining({ path: 'limit' })] });
    await expect(bad({ q: 'x', summary: 'maybe' })).rejects.toMatchObject({ errors: [expect.objectContaining({ path: 'summary' })] });
    await expect(bad({ q: 'x', extra: 1 })).rejects.toMatchObject({ code: 'REQUEST.INVALID' });
  });

  it('refuses a malformed message sent straight to the service (not only in the client)', async () => {
    const reply = await search.infra.nc.request(search.infra.subjects.rpc('search-service', 'search'), new TextEncoder().encode(JSON.stringify({ meta: meta(), payload: { q: 42, scope: 'TASK' } })));
    const body = JSON.parse(new TextDecoder().decode(reply.data));
    expect(body).toMatchObject({ ok: false, error: { code: 'REQUEST.INVALID' } });
    expect(body.error.extra.errors).toEqual([expect.objectContaining({ path: 'q' })]);
  });
});
