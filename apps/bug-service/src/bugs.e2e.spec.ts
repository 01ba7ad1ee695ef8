import { SystemUnderTest } from '@orch/testing';

/** The bug log over HTTP against the real processes: log, recur, read, resolve, regress, and bad input. */
// Response bodies are checked field by field below; `any` keeps those checks readable.
const json = (res: Response): Promise<any> => res.json();

describe('bugs, end to end', () => {
  let system: SystemUnderTest;

  beforeAll(async () => {
    system = await SystemUnderTest.start({ services: ['bug-service', 'planner'] });
  }, 60_000);

  afterAll(async () => {
    await system?.stop();
  });

  const report = { message: 'error: column "email" of relation "users" does not exist', file: 'src/repo.ts', line: 12, taskCode: 'TSK-7', sessionKey: 'S-1' };

  it('logs a new bug as an agent, then a recurrence, and reads it back with read-your-writes', async () => {
    const first = await system.fetch('/api/v1/bugs', { key: 'dev-agent-key', json: report });
    expect(first.status).toBe(201);
    const logged = await json(first);
    expect(logged).toMatchObject({ outcome: 'new', bug: { occurrenceCount: 1, category: 'database', status: 'OPEN' }, suggestedActions: ['fix', 'continue', 'context'] });

    const again = await system.fetch('/api/v1/bugs', { key: 'dev-agent-key', json: { ...report, line: 40, taskCode: 'TSK-8' } });
    expect(again.status).toBe(201);
    expect(await json(again)).toMatchObject({ outcome: 'recurring', bug: { hash: logged.bug.hash, occurrenceCount: 2 } });
    const seq = again.headers.get('x-orch-seq');
    expect(Number(seq)).toBeGreaterThan(0);

    const read = await system.fetch(`/api/v1/bugs/${logged.bug.hash}`, { key: 'dev-viewer-key', headers: { 'x-orch-min-seq': seq! } });
    expect(read.status).toBe(200);
    expect(await json(read)).toMatchObject({ occurrenceCount: 2, tasks: ['TSK-7', 'TSK-8'], lastTaskCode: 'TSK-8', line: 40 });

    const list = await system.fetch('/api/v1/bugs?task=TSK-7&status=OPEN', { key: 'dev-viewer-key', headers: { 'x-orch-min-seq': seq! } });
    expect(list.status).toBe(200);
    expect((await json(list)).items.map((b: { hash: string }) => b.hash)).toEqual([logged.bug.hash]);
  });

  it('logs a report that names an unknown task, with a warning instead of a failure', async () => {
    const res = await system.fetch('/api/v1/bugs', { key: 'dev-agent-key', json: { message: 'Error: lost task', file: 'src/l.ts', taskCode: 'TSK-404' } });
    expect(res.status).toBe(201);
    expect((await json(res)).warnings).toEqual([expect.stringContaining('unknown task code TSK-404')]);
  });

  it('keeps a report with a 1 MB stack trace, cut with a note', async () => {
    const stack = `Error: huge\n${'    at f (/p/src/huge.ts:1:1)\n'.repeat(36_000)}`;
    expect(stack.length).toBeGreaterThan(1_000_000);
    const res = await system.fetch('/api/v1/bugs', { key: 'dev-agent-key', json: { message: 'Error: huge', file: 'src/huge.ts', stack } });
    expect(res.status).toBe(201);
    expect((await json(res)).warnings).toEqual([expect.stringMatching(/^stack truncated/)]);
  });

  it('resolves, then reports the next occurrence as a regression', async () => {
    const logged = await json(await system.fetch('/api/v1/bugs', { key: 'dev-agent-key', json: { message: 'TypeError: x.map is not a function', file: 'src/view.ts' } }));
    const resolved = await system.fetch(`/api/v1/bugs/${logged.bug.hash}`, { method: 'PATCH', json: { status: 'RESOLVED', resolution: 'guarded' } });
    expect(resolved.status).toBe(200);
    expect(await json(resolved)).toMatchObject({ status: 'RESOLVED' });
    const back = await system.fetch('/api/v1/bugs', { key: 'dev-agent-key', json: { message: 'TypeError: x.map is not a function', file: 'src/view.ts' } });
    expect(await json(back)).toMatchObject({ outcome: 'regression', bug: { status: 'OPEN', regressionCount: 1 } });
  });

  it('refuses an empty message (400), a viewer writing (403) and an unknown bug (404) with problem documents', async () => {
    const empty = await system.fetch('/api/v1/bugs', { key: 'dev-agent-key', json: { message: '  ' } });
    expect(empty.status).toBe(400);
    expect(empty.headers.get('content-type')).toContain('application/problem+json');
    const viewer = await system.fetch('/api/v1/bugs', { key: 'dev-viewer-key', json: report });
    expect(viewer.status).toBe(403);
    const missing = await system.fetch(`/api/v1/bugs/${'0'.repeat(64)}`, { key: 'dev-viewer-key' });
    expect(missing.status).toBe(404);
    const badHash = await system.fetch('/api/v1/bugs/not-a-hash', { key: 'dev-viewer-key' });
    expect(badHash.status).toBe(400);
  });
});
