import { SystemUnderTest } from '@orch/testing';

/**
 * The README's walk-through against the real system (every service a process of its own):
 * sprints and tasks over HTTP, read-your-writes, the log, and every kind of bad input refused
 * with a problem document and nothing written.
 */
// Response bodies are checked field by field below; `any` keeps those checks readable.
const json = (res: Response): Promise<any> => res.json();

describe('sprints and tasks, end to end', () => {
  let system: SystemUnderTest;
  const lastSeq = () => system.lastSeq();

  beforeAll(async () => {
    system = await SystemUnderTest.start();
  }, 60_000);

  afterAll(async () => {
    await system?.stop();
  });

  it('is ready: every service and dependency answers', async () => {
    const res = await system.fetch('/ready', { key: null });
    expect(res.status).toBe(200);
  });

  it('creates a sprint and a task, and reads them back at once', async () => {
    const sprint = await system.fetch('/api/v1/sprints', { json: { code: 'SPR-001', title: 'First sprint', goal: 'Ship the foundation' } });
    expect(sprint.status).toBe(201);
    expect(await json(sprint)).toMatchObject({ code: 'SPR-001', status: 'PLANNED', taskCount: 0 });

    const task = await system.fetch('/api/v1/tasks', { json: { sprintCode: 'SPR-001', title: 'Write the README', priority: 'HIGH' } });
    expect(task.status).toBe(201);
    const seq = task.headers.get('x-orch-seq');
    expect(Number(seq)).toBeGreaterThan(0);
    const created = await json(task);
    expect(created).toMatchObject({ sprintCode: 'SPR-001', title: 'Write the README', status: 'BACKLOG', version: 1 });

    const list = await system.fetch('/api/v1/tasks?sprint=SPR-001', { headers: { 'x-orch-min-seq': seq! } });
    expect(list.status).toBe(200);
    expect(Number(list.headers.get('x-orch-read-seq'))).toBeGreaterThanOrEqual(Number(seq));
    expect((await json(list)).items).toEqual([created]);

    const one = await system.fetch(`/api/v1/tasks/${created.code}`, { headers: { 'x-orch-min-seq': seq! } });
    expect(one.headers.get('etag')).toBe('"1"');
    const s = await system.fetch('/api/v1/sprints/SPR-001', { headers: { 'x-orch-min-seq': seq! } });
    expect(await json(s)).toMatchObject({ code: 'SPR-001', taskCount: 1 });
  });

  it('moves a task through its statuses with If-Match, and 412s a stale one', async () => {
    const created = await json(await system.fetch('/api/v1/tasks', { json: { code: 'TSK-FLOW', title: 'Flow' } }));
    const ready = await system.fetch('/api/v1/tasks/TSK-FLOW', { method: 'PATCH', json: { status: 'READY' }, headers: { 'if-match': `"${created.version}"` } });
    expect(ready.status).toBe(200);
    expect(ready.headers.get('etag')).toBe('"2"');
    const before = await lastSeq();
    const stale = await system.fetch('/api/v1/tasks/TSK-FLOW', { method: 'PATCH', json: { title: 'Stale' }, headers: { 'if-match': '"1"' } });
    expect(stale.status).toBe(412);
    expect(await lastSeq()).toBe(before);
  });

  it('writes a POST retried with the same Idempotency-Key once', async () => {
    const send = () => system.fetch('/api/v1/tasks', { json: { title: 'Exactly once' }, headers: { 'idempotency-key': 'retry-me-1' } });
    const first = await send();
    const before = await lastSeq();
    const second = await send();
    expect(second.status).toBe(first.status);
    expect((await json(second)).code).toBe((await json(first)).code);
    expect(second.headers.get('x-orch-seq')).toBe(first.headers.get('x-orch-seq'));
    expect(await lastSeq()).toBe(before);
  });

  it('pages the log: GET /events returns the commits in order, filtered by type', async () => {
    const seq = await lastSeq();
    const res = await system.fetch('/api/v1/events?after=0&limit=500&type=orchestration.sprint.*', { headers: { 'x-orch-min-seq': String(seq) } });
    expect(res.status).toBe(200);
    const page = await json(res);
    expect(page.items.map((e: { type: string; aggregateId: string }) => [e.type, e.aggregateId])).toEqual([['orchestration.sprint.created', 'SPR-001']]);
    const all = await json(await system.fetch('/api/v1/events?after=0&limit=500', { headers: { 'x-orch-min-seq': String(seq) } }));
    const seqs = all.items.map((e: { seq: number }) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(all.nextAfter).toBe(seq);
  });

  describe('bad input: a problem document naming the problem, and the log unchanged', () => {
    const cases: Array<[string, () => Promise<Response>, number, string, string?]> = [
      ['malformed JSON', () => system.fetch('/api/v1/tasks', { body: '{"title": "x",', headers: { 'content-type': 'application/json' } }), 400, 'REQUEST.MALFORMED_JSON'],
      ['an unknown field', () => system.fetch('/api/v1/tasks', { json: { title: 'x', colour: 'red' } }), 400, 'REQUEST.INVALID', 'body.colour'],
      ['a wrong type', () => system.fetch('/api/v1/tasks', { json: { title: 'x', estimateMinutes: 'soon' } }), 400, 'REQUEST.INVALID', 'body.estimateMinutes'],
      ['a hostile id in the path', () => system.fetch('/api/v1/tasks/TSK-1.evt.%3E', { method: 'PATCH', json: { title: 'x' } }), 400, 'REQUEST.INVALID', 'params.code'],
      ['an unknown task', () => system.fetch('/api/v1/tasks/TSK-NOPE', { method: 'PATCH', json: { title: 'x' } }), 404, 'TASK.NOT_FOUND'],
      ['a duplicate sprint', () => system.fetch('/api/v1/sprints', { json: { code: 'SPR-001', title: 'Again' } }), 409, 'SPRINT.EXISTS'],
      ['an illegal transition', () => system.fetch('/api/v1/tasks/TSK-FLOW', { method: 'PATCH', json: { status: 'DONE' } }), 422, 'TASK.ILLEGAL_TRANSITION'],
      ['an oversized body', () => system.fetch('/api/v1/tasks', { json: { title: 'x', description: 'y'.repeat(3 * 1024 * 1024) } }), 413, 'REQUEST.TOO_LARGE'],
      ['no API key', () => system.fetch('/api/v1/tasks', { key: null, json: { title: 'x' } }), 401, 'AUTH.MISSING_KEY'],
      ['a wrong API key', () => system.fetch('/api/v1/tasks', { key: 'not-a-key-at-all', json: { title: 'x' } }), 401, 'AUTH.INVALID_KEY'],
      ['a viewer writing', () => system.fetch('/api/v1/tasks', { key: 'dev-viewer-key', json: { title: 'x' } }), 403, 'AUTH.FORBIDDEN'],
    ];

    // Rows become objects: with array rows shorter than the arity, jest would pass `done` as `field`.
    it.each(cases.map(([what, send, status, code, field]) => ({ what, send, status, code, field })))('$what', async ({ send, status, code, field }) => {
      const before = await lastSeq();
      const res = await send();
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const problem = await json(res);
      expect(problem).toMatchObject({ status, code, title: expect.any(String), detail: expect.any(String) });
      if (field) expect(problem.errors.map((e: { path: string }) => e.path)).toContain(field);
      expect(await lastSeq()).toBe(before);
    });
  });
});
