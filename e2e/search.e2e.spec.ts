import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore } from '@orch/event-store';
import { SystemUnderTest } from '@orch/testing';
import { runCli } from '../apps/cli/src/cli';

/**
 * Search through the real system: the planner writes sprints and tasks, a session's events are
 * appended to the log as the session service writes them, the search service indexes them, and
 * the gateway and the CLI answer `GET /api/v1/search` / `orch context-search`.
 */
// Response bodies are checked field by field below; `any` keeps those checks readable.
const json = (res: Response): Promise<any> => res.json();

describe('search, end to end', () => {
  let system: SystemUnderTest;
  let store: EventStore;
  let subjects: SystemUnderTest['subjects'];
  const lastSeq = () => system.lastSeq();
  const search = (query: string, key = 'dev-agent-key', seq?: number) => system.fetch(`/api/v1/search?${query}`, { key, headers: seq ? { 'x-orch-min-seq': String(seq) } : {} });

  /** A note on a session, as the session service appends it (every session event names its scopes). */
  async function note(sessionKey: string, taskCode: string, sprintCode: string, text: string): Promise<number> {
    const subject = subjects.aggregate('session', sessionKey);
    const existing = await store.readSubject(subject);
    const commandId = randomUUID();
    const data = { sessionKey, taskCode, sprintCode, phase: 'implement', text };
    const event = { id: randomUUID(), type: 'orchestration.session.note_added', aggregateType: 'session', aggregateId: sessionKey, version: existing.length + 1, occurredAt: new Date().toISOString(), actor: { kind: 'agent' as const, id: 'agent-1' }, commandId, correlationId: commandId, causationId: null, schemaVersion: 1, data };
    return (await store.append(subject, { events: [event] }, { expectedLastSubjectSeq: existing.at(-1)?.seq ?? 0, commandId, correlationId: commandId })).seq;
  }

  beforeAll(async () => {
    system = await SystemUnderTest.start({ services: ['planner', 'search-service'] });
    store = await system.store();
    subjects = system.subjects;
  }, 60_000);

  afterAll(async () => {
    await system?.stop();
  });

  it('finds what the planner and a session wrote, scoped, with read-your-writes', async () => {
    expect((await system.fetch('/api/v1/sprints', { json: { code: 'SPR-S1', title: 'Search sprint', goal: 'Find everything' } })).status).toBe(201);
    const task = await system.fetch('/api/v1/tasks', { json: { code: 'TSK-S1', sprintCode: 'SPR-S1', title: 'Database migrations for webhooks' } });
    expect(task.status).toBe(201);
    await system.fetch('/api/v1/tasks', { json: { code: 'TSK-S2', title: 'Migrate the CLI config' } });
    const seq = await note('sess_TSK-S1_1', 'TSK-S1', 'SPR-S1', 'Migration ran in apps/notifier/src/deliveries/worker.ts');

    const res = await search('q=migrations&scope=TASK&id=TSK-S1', 'dev-viewer-key', seq);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ scope: 'TASK', id: 'TSK-S1', plan: 'scope-first', cached: false });
    expect(body.items.map((h: any) => h.type).sort()).toEqual(['orchestration.session.note_added', 'orchestration.task.created']);
    expect(body.items.find((h: any) => h.type === 'orchestration.session.note_added').snippet).toContain('«Migration»');
    const byPath = await json(await search('q=deliveries/worker.ts&scope=SPRINT&id=SPR-S1', 'dev-admin-key', seq));
    expect(byPath.items.map((h: any) => h.sessionKey)).toEqual(['sess_TSK-S1_1']);
  });

  it('never serves a stale cached answer: a new event in the scope appears on the next search', async () => {
    const first = await json(await search('q=rollback&scope=SPRINT&id=SPR-S1'));
    expect(first.items).toEqual([]);
    expect((await json(await search('q=rollback&scope=SPRINT&id=SPR-S1'))).cached).toBe(true);
    const seq = await note('sess_TSK-S1_1', 'TSK-S1', 'SPR-S1', 'Rollback plan written');
    const after = await json(await search('q=rollback&scope=SPRINT&id=SPR-S1', 'dev-agent-key', seq));
    expect(after).toMatchObject({ cached: false, items: [{ snippet: '«Rollback» plan written' }] });
    expect((await json(await search('q=rollback&scope=SPRINT&id=SPR-S1&noCache=true'))).cached).toBe(false);
  });

  it('summarises a scope', async () => {
    const body = await json(await search('q=anything&scope=SPRINT&id=SPR-S1&summary=true'));
    expect(body.summary).toMatchObject({ total: 4, byType: expect.arrayContaining([{ type: 'orchestration.session.note_added', count: 2, firstAt: expect.any(String), lastAt: expect.any(String) }]) });
  });

  it('lets every role search, and nobody without a key', async () => {
    for (const key of ['dev-admin-key', 'dev-agent-key', 'dev-viewer-key']) expect((await search('q=migration', key)).status).toBe(200);
    expect((await system.fetch('/api/v1/search?q=migration', { key: null })).status).toBe(401);
  });

  it('refuses bad input with a problem naming the field, and writes nothing', async () => {
    const before = await lastSeq();
    const cases: Array<[string, string]> = [
      ['q=', 'query.q'],
      ['scope=TASK&id=TSK-S1', 'query.q'],
      [`q=${'x'.repeat(501)}`, 'query.q'],
      ['q=x&scope=GALAXY', 'query.scope'],
      ['q=x&scope=TASK', 'query.id'],
      ['q=x&scope=PROJECT&id=TSK-S1', 'query.id'],
      ['q=x&scope=TASK&id=TSK-1%27%20OR%201%3D1', 'query.id'],
      ['q=x&limit=0', 'query.limit'],
      ['q=x&limit=ten', 'query.limit'],
      ['q=x&summary=maybe', 'query.summary'],
      ['q=x&sort=desc', 'query.sort'],
    ];
    for (const [query, path] of cases) {
      const res = await search(query);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect((await json(res)).errors).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    }
    expect(await lastSeq()).toBe(before);
  });

  it('answers hostile and SQL-looking queries as plain text', async () => {
    for (const q of ["'; DROP TABLE orchestration_events; --", '"unclosed ((', '!!! <-> & |', '%_\\', 'the of and', '<script>alert(1)</script>', '\u202e✓']) {
      const res = await search(`q=${encodeURIComponent(q)}`);
      expect({ q, status: res.status }).toEqual({ q, status: 200 });
    }
    const still = await json(await search('q=migrations&noCache=true'));
    expect(still.items.length).toBeGreaterThanOrEqual(3);
  });

  it('answers `orch context-search` from the current context, for people and as JSON', async () => {
    let stdout = '';
    const io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stdout += s) } };
    const home = mkdtempSync(join(tmpdir(), 'orch-e2e-'));
    writeFileSync(join(home, 'context.json'), JSON.stringify({ taskCode: 'TSK-S1' }));
    const env = { ORCH_URL: system.url, ORCH_API_KEY: 'dev-agent-key', ORCH_HOME: home, NO_COLOR: '1' };
    expect(await runCli(['context-search', 'migration', '--scope', 'task'], { io, env })).toBe(0);
    expect(stdout).toMatch(/results? for "migration" in task TSK-S1/);
    expect(stdout).toContain('«Migration» ran in apps/notifier/src/deliveries/worker.ts');
    stdout = '';
    expect(await runCli(['context-search', 'webhooks', '--json', '--no-cache'], { io, env })).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ scope: 'PROJECT', cached: false, items: [{ taskCode: 'TSK-S1', type: 'orchestration.task.created' }] });
  });
});
