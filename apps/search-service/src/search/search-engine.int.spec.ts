import { randomUUID } from 'node:crypto';
import type { SearchQuery } from '@orch/contracts';
import { commitsOf, fixtureDb } from '../testing/fixture-db';
import { generateCommits } from '../testing/event-generator';
import { SearchEngine, type EngineOptions } from './search-engine';

const q = (text: string, scope: SearchQuery['scope'], id?: string): SearchQuery => ({ q: text, scope, id, limit: 10, summary: false, noCache: true });

/**
 * The ranking and the plans of the engine on a real Postgres: the half-life moves old events
 * down as configured, and each scope size takes the route meant for it, saying which and how
 * many matches it ranked.
 */
describe('the search engine', () => {
  let db: Awaited<ReturnType<typeof fixtureDb>>;
  const engine = (opts: Partial<EngineOptions>) => new SearchEngine(db.ds, { halfLifeHours: 72, window: 20, smallScope: 300, ...opts });

  beforeAll(async () => {
    db = await fixtureDb();
    // About 4,000 events: 3 sprints of about 1,270, tasks of about 250, sessions of about 124.
    const history = [...generateCommits({ events: 4_000, seed: 11, tasksPerSprint: 5, sessionsPerTask: 2, days: 30 })];
    const now = Date.now();
    const note = (hoursAgo: number, text: string) => ({
      id: randomUUID(),
      type: 'orchestration.session.note_added',
      aggregateType: 'session',
      aggregateId: 'sess_DECAY_1',
      occurredAt: new Date(now - hoursAgo * 3_600_000).toISOString(),
      data: { sessionKey: 'sess_DECAY_1', taskCode: 'TSK-DECAY', sprintCode: null, text },
    });
    const decay = commitsOf([note(240, 'Flamegraph of the flamegraph renderer: the flamegraph shows the flamegraph cost'), note(1, 'Looked at a flamegraph once, then moved on to the release notes and the changelog')], history.length + 1);
    await db.load([...history, ...decay]);
  }, 120_000);

  afterAll(async () => {
    await db?.close();
  });

  describe('ranking by text and recency (SEARCH_HALF_LIFE_HOURS)', () => {
    const order = async (halfLifeHours: number) => (await engine({ halfLifeHours }).search(q('flamegraph', 'SESSION', 'sess_DECAY_1'))).items.map((h) => h.data.text as string);

    it('lets a strong old match win when the half-life is long', async () => {
      expect((await order(100_000))[0]).toMatch(/^Flamegraph of the/);
    });

    it('lets a weak new match win when the half-life is short', async () => {
      expect((await order(24))[0]).toMatch(/^Looked at/);
    });
  });

  describe('plans by scope size (SEARCH_SMALL_SCOPE, SEARCH_WINDOW)', () => {
    const count = async (text: string, column: string | null, id?: string) =>
      Number((await db.ds.query(`SELECT count(*) AS n FROM orchestration_events WHERE search_vector @@ websearch_to_tsquery('english', $1) ${column ? `AND ${column} = $2` : ''}`, column ? [text, id] : [text]))[0].n);

    it('ranks every match of a scope at or below the small-scope size, through the scope’s rows', async () => {
      const r = await engine({}).search(q('test', 'TASK', 'TSK-1-001'));
      expect(r).toMatchObject({ plan: 'scope-first', route: 'scope', ranked: await count('test', 'task_code', 'TSK-1-001') });
      expect(r.window).toBeUndefined();
      expect(r.ranked).toBeGreaterThan(20);
    });

    it('ranks only the newest window of the same scope once it is larger than the small-scope size', async () => {
      const r = await engine({ smallScope: 100 }).search(q('test', 'TASK', 'TSK-1-001'));
      expect(r).toMatchObject({ plan: 'newest-window', route: 'walk', window: 20, ranked: 20 });
    });

    it('walks a large scope newest first for a frequent term, up to the window', async () => {
      expect(await engine({}).search(q('test', 'PROJECT'))).toMatchObject({ plan: 'newest-window', route: 'walk', window: 20, ranked: 20 });
      expect(await engine({ window: 50 }).search(q('test', 'SPRINT', 'SPR-001'))).toMatchObject({ plan: 'newest-window', route: 'walk', window: 50, ranked: 50 });
    });

    it('finds a rarer term of the project block by block, and of a sprint through its GIN columns', async () => {
      const project = await engine({}).search(q('SyntaxError', 'PROJECT'));
      expect(project).toMatchObject({ plan: 'newest-window', route: 'blocks', window: 20, ranked: Math.min(20, await count('SyntaxError', null)) });
      const sprint = await engine({}).search(q('SyntaxError', 'SPRINT', 'SPR-001'));
      expect(sprint).toMatchObject({ plan: 'newest-window', route: 'gin', window: 20, ranked: Math.min(20, await count('SyntaxError', 'sprint_code', 'SPR-001')) });
      expect(project.ranked).toBeGreaterThan(0);
      expect(sprint.ranked).toBeGreaterThan(0);
    });

    it('ranks every match of any scope when asked for exact ranking (the recall reference)', async () => {
      expect(await engine({}).search(q('test', 'PROJECT'), 'exact')).toMatchObject({ plan: 'scope-first', route: 'exact', ranked: await count('test', null) });
    });
  });
});
