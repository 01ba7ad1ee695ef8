import { randomUUID } from 'node:crypto';
import { SearchConfig } from '../search/search.config';
import { SearchEngine } from '../search/search-engine';
import { commitsOf, fixtureDb } from '../testing/fixture-db';
import { FIXTURE, FIXTURE_START } from './fixture';
import { JUDGMENTS } from './judgments';
import { ndcgAt } from './metrics';

/**
 * The judged query set, scored by nDCG@10 with the service's default settings. A change to the
 * index or the ranking that makes answers worse fails here, with the queries that got worse.
 */
describe('relevance of search answers (judged queries)', () => {
  let db: Awaited<ReturnType<typeof fixtureDb>>;
  let engine: SearchEngine;
  const defaults = SearchConfig.parse({});
  const engineOptions = { halfLifeHours: defaults.SEARCH_HALF_LIFE_HOURS, window: defaults.SEARCH_WINDOW, smallScope: defaults.SEARCH_SMALL_SCOPE };
  const keyOf = new Map<string, string>();
  const scopeOf = new Map<string, { SESSION: string | null; TASK: string | null; SPRINT: string | null }>();

  beforeAll(async () => {
    db = await fixtureDb();
    const events = FIXTURE.map((e) => {
      const id = randomUUID();
      keyOf.set(id, e.key);
      return { id, type: e.type, aggregateType: e.aggregateType, aggregateId: e.aggregateId, occurredAt: new Date(FIXTURE_START.getTime() + e.hour * 3_600_000).toISOString(), data: e.data };
    });
    await db.load(commitsOf(events));
    const rows: Array<{ event_id: string; session_key: string | null; task_code: string | null; sprint_code: string | null }> = await db.ds.query('SELECT event_id, session_key, task_code, sprint_code FROM orchestration_events');
    for (const r of rows) scopeOf.set(r.event_id, { SESSION: r.session_key, TASK: r.task_code, SPRINT: r.sprint_code });
    engine = new SearchEngine(db.ds, engineOptions);
  }, 60_000);

  afterAll(async () => {
    await db?.close();
  });

  const answer = (j: (typeof JUDGMENTS)[number], e = engine) => e.search({ q: j.q, scope: j.scope, id: j.id, limit: 10, summary: false, noCache: true });
  const run = async (j: (typeof JUDGMENTS)[number]) => (await answer(j)).items;
  const ndcg = async (e: SearchEngine) => {
    const scores: Array<{ q: string; ndcg: number; got: string[]; plan: string }> = [];
    for (const j of JUDGMENTS) {
      const r = await answer(j, e);
      const got = r.items.map((h) => keyOf.get(h.id)!);
      scores.push({ q: `${j.scope}${j.id ? `:${j.id}` : ''} ${j.q}`, ndcg: ndcgAt(got, j.grades, 10), got, plan: r.plan });
    }
    return { scores, mean: scores.reduce((s, x) => s + x.ndcg, 0) / scores.length };
  };

  it('has at least 30 judged queries covering every scope', () => {
    expect(JUDGMENTS.length).toBeGreaterThanOrEqual(30);
    expect(new Set(JUDGMENTS.map((j) => j.scope))).toEqual(new Set(['SESSION', 'TASK', 'SPRINT', 'PROJECT']));
    for (const j of JUDGMENTS) for (const key of Object.keys(j.grades)) expect(FIXTURE.some((e) => e.key === key)).toBe(true);
  });

  it('scores nDCG@10 of at least 0.85 over the judged queries', async () => {
    const { scores, mean } = await ndcg(engine);
    const weak = scores.filter((s) => s.ndcg < 0.7).map((s) => `${s.q} → ${s.ndcg.toFixed(2)} [${s.got.join(' ')}]`);
    if (process.env.SEARCH_RELEVANCE_REPORT) process.stdout.write(`nDCG@10 mean ${mean.toFixed(3)}\n${scores.map((s) => `${s.ndcg.toFixed(2)}  ${s.q}  [${s.got.join(' ')}]`).join('\n')}\n`);
    expect({ mean: Number(mean.toFixed(3)), pass: mean >= 0.85, weak }).toMatchObject({ pass: true });
  });

  it('scores nDCG@10 of at least 0.85 with the large-scope plan too (every scope ranked over its newest window)', async () => {
    // The fixture's scopes are all small: a small-scope size of 0 sends every query through the
    // newest-window plan, and the smallest window (20) makes it leave matches out.
    const windowed = new SearchEngine(db.ds, { ...engineOptions, smallScope: 0, window: 20 });
    const { scores, mean } = await ndcg(windowed);
    expect(new Set(scores.filter((s) => s.got.length > 0).map((s) => s.plan))).toEqual(new Set(['newest-window']));
    const weak = scores.filter((s) => s.ndcg < 0.7).map((s) => `${s.q} → ${s.ndcg.toFixed(2)} [${s.got.join(' ')}]`);
    if (process.env.SEARCH_RELEVANCE_REPORT) process.stdout.write(`nDCG@10 (newest-window, K=20) mean ${mean.toFixed(3)}\n`);
    expect({ mean: Number(mean.toFixed(3)), pass: mean >= 0.85, weak }).toMatchObject({ pass: true });
  });

  it('never answers with an event from outside the scope asked for', async () => {
    for (const j of JUDGMENTS.filter((x) => x.scope !== 'PROJECT')) {
      for (const hit of await run(j)) expect({ q: j.q, scope: scopeOf.get(hit.id)![j.scope as 'SESSION'] }).toEqual({ q: j.q, scope: j.id });
    }
  });

  it('ranks the newer of two identical events first', async () => {
    const [first, second] = await run(JUDGMENTS[0]!);
    expect([keyOf.get(first!.id), keyOf.get(second!.id)]).toEqual(['s4n2', 's1n2']);
  });
});
