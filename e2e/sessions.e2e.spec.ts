import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SystemUnderTest } from '@orch/testing';

/**
 * Sessions through the real system (gateway, planner, session and bug services as processes):
 * the phase machine over HTTP, gates as problem documents, the race of twenty completes, the
 * task's metadata in the planner's read model, git links, /me with X-Orch-Session, bad input.
 */
const json = (res: Response): Promise<any> => res.json();
const AGENT = 'dev-agent-key';

describe('sessions, end to end', () => {
  let system: SystemUnderTest;
  const lastSeq = () => system.lastSeq();
  /** The events appended after `after`, read from the log itself. */
  const loggedSince = async (after: number) => {
    const store = await system.store();
    const events: Array<{ type: string; data: Record<string, unknown> }> = [];
    for (let seq = after + 1, last = await lastSeq(); seq <= last; seq++) events.push(...((await store.readCommit(seq))?.events ?? []));
    return events;
  };
  const post = (path: string, body: unknown, key = AGENT, headers: Record<string, string> = {}) => system.fetch(`/api/v1${path}`, { method: 'POST', json: body, key, headers });
  const task = async (code: string, extra: object = {}) => expect((await post('/tasks', { code, title: `Work on ${code}`, description: 'Do the thing well', estimateMinutes: 30, ...extra }, 'dev-admin-key')).status).toBe(201);
  const start = async (code: string) => json(await post('/sessions', { taskCode: code }));
  const artifact = (key: string, name: string) => post(`/sessions/${key}/artifacts`, { name, content: `# ${name}\n` });

  beforeAll(async () => {
    // The shipped config plus a GitHub Enterprise host (git.providers), to link its pull requests.
    const config = join(mkdtempSync(join(tmpdir(), 'orch-config-')), 'orchestration.yaml');
    writeFileSync(config, readFileSync(join(__dirname, '..', 'config', 'orchestration.yaml'), 'utf8').replace('  providers: {}', '  providers: {git.acme.corp: github}'));
    system = await SystemUnderTest.start({ services: ['planner', 'session-service', 'bug-service'], env: { ORCH_CONFIG_FILE: config } });
  }, 60_000);

  afterAll(async () => {
    await system?.stop();
  });

  it('walks a task through its six phases, with gates, instructions, time and the task moved to IN_PROGRESS', async () => {
    await task('TSK-WALK');
    const started = await start('TSK-WALK');
    const key = started.session.sessionKey;
    expect(started).toMatchObject({ outcome: 'started', session: { currentPhase: 'INTAKE', status: 'ACTIVE' }, instructions: { missing: [{ kind: 'artifact', name: 'TASK.md' }] } });

    const gate = await post(`/sessions/${key}/phase-complete`, {});
    expect(gate.status).toBe(422);
    expect(gate.headers.get('content-type')).toContain('application/problem+json');
    expect(await json(gate)).toMatchObject({ code: 'SESSION.PHASE_REQUIREMENTS_MISSING', missing: [{ kind: 'artifact', name: 'TASK.md', hint: expect.any(String) }] });

    for (const [name, fields] of [['TASK.md', {}], ['CONTEXT.md', {}], ['PLAN.md', {}], [null, {}], ['CHANGES.md', { test_results: 'all green' }]] as const) {
      if (name) expect((await artifact(key, name)).status).toBe(201);
      const done = await post(`/sessions/${key}/phase-complete`, { fields });
      expect(done.status).toBe(200);
    }
    const atClose = await json(await system.fetch(`/api/v1/sessions/${key}`, { key: AGENT }));
    expect(atClose.session.currentPhase).toBe('CLOSE');
    expect(atClose.instructions.suggestedCommands[0]).toBe('orch session-end --summary "…"');
    const notYet = await post(`/sessions/${key}/end`, {});
    expect(notYet.status).toBe(422);
    const ended = await post(`/sessions/${key}/end`, { summary: 'Shipped it' });
    expect(ended.status).toBe(200);
    const body = await json(ended);
    expect(body.session).toMatchObject({ status: 'COMPLETED', phaseHistory: expect.arrayContaining([expect.objectContaining({ phase: 'EXECUTE', durationMs: expect.any(Number) })]) });

    const t = await json(await system.fetch('/api/v1/tasks/TSK-WALK', { headers: { 'x-orch-min-seq': ended.headers.get('x-orch-seq')! } }));
    expect(t.status).toBe('IN_PROGRESS');
    expect(t.metadata.session).toMatchObject({ session_key: key, current_phase: 'close', active: false, status: 'COMPLETED' });
    expect(t.metadata.session.phase_history.map((p: { phase: string }) => p.phase)).toEqual(['intake', 'research', 'plan', 'execute', 'review', 'close']);
    const listed = await json(await system.fetch('/api/v1/sessions?task=TSK-WALK', { headers: { 'x-orch-min-seq': ended.headers.get('x-orch-seq')! } }));
    expect(listed.items).toEqual([expect.objectContaining({ sessionKey: key, status: 'COMPLETED', currentPhase: 'CLOSE', agentId: 'dev-agent' })]);
  });

  it('advances once under 20 concurrent phase-completes through the gateway; the rest get 409', async () => {
    await task('TSK-RACE');
    const key = (await start('TSK-RACE')).session.sessionKey;
    await artifact(key, 'TASK.md');
    const before = await lastSeq();
    const statuses = (await Promise.all(Array.from({ length: 20 }, () => post(`/sessions/${key}/phase-complete`, { phase: 'INTAKE' })))).map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    expect(await lastSeq()).toBe(before + 1);
  });

  it('advances once under 20 concurrent /me/phase-completes that name no phase but send If-Match; the rest get 412', async () => {
    await task('TSK-RACE-IFM');
    const started = await start('TSK-RACE-IFM');
    const key = started.session.sessionKey;
    await artifact(key, 'TASK.md');
    await artifact(key, 'CONTEXT.md'); // RESEARCH's gate is met too: a late call without If-Match would advance it
    const seen = await system.fetch(`/api/v1/sessions/${key}`, { key: AGENT });
    const etag = seen.headers.get('etag')!;
    const before = await lastSeq();
    const answers = await Promise.all(Array.from({ length: 20 }, () => post('/me/phase-complete', {}, AGENT, { 'if-match': etag, 'x-orch-session': key })));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(19);
    expect(await json(answers.find((r) => r.status === 412)!)).toMatchObject({ code: 'SESSION.VERSION_MISMATCH', detail: expect.stringContaining('it is in RESEARCH') });
    expect(await lastSeq()).toBe(before + 1);
    expect((await loggedSince(before)).map((e) => e.type)).toEqual(['orchestration.phase.intake.end', 'orchestration.phase.research.start']);
    expect((await json(await system.fetch(`/api/v1/sessions/${key}`, { key: AGENT }))).session.currentPhase).toBe('RESEARCH');
  });

  it('records commits and a pull request on the task, and serves its CHANGES.md', async () => {
    await task('TSK-GIT');
    const key = (await start('TSK-GIT')).session.sessionKey;
    expect((await post(`/sessions/${key}/commits`, { hash: '16124713051261b28ee5da030c2bfc7ce228cc1d', message: 'feat: implement new feature', author: 'Jo <jo@example.com>', phase: 'EXECUTE' })).status).toBe(201);
    expect((await post(`/sessions/${key}/changes`, { files: ['src/a.ts', 'src/a.spec.ts'], diffSummary: '2 files changed, 150 insertions(+), 20 deletions(-)' })).status).toBe(200);
    const pr = await post('/tasks/TSK-GIT/pull-request', { url: 'https://gitlab.com/org/sub/repo/-/merge_requests/42' });
    expect(pr.status).toBe(200);
    expect((await json(pr)).session.pullRequest).toMatchObject({ provider: 'gitlab', number: 42 });
    const md = await system.fetch('/api/v1/tasks/TSK-GIT/changes.md', { key: AGENT });
    expect(md.headers.get('content-type')).toContain('text/markdown');
    const text = await md.text();
    expect(text).toContain('# Changes Summary');
    expect(text).toContain('**Task**: Work on TSK-GIT (TSK-GIT)');
    expect(text).toContain('- src/a.ts');
    expect(text).toContain('2 files changed, 150 insertions(+), 20 deletions(-)');
    expect(text).toContain('- 1612471 - feat: implement new feature (Phase: execute)');
    const t = await json(await system.fetch('/api/v1/tasks/TSK-GIT', { headers: { 'x-orch-min-seq': pr.headers.get('x-orch-seq')! } }));
    expect(t.metadata.commits).toEqual([expect.objectContaining({ hash: '16124713051261b28ee5da030c2bfc7ce228cc1d', short_hash: '1612471', phase: 'execute' })]);
    expect(t.metadata.pull_request).toMatchObject({ url: 'https://gitlab.com/org/sub/repo/-/merge_requests/42', number: 42 });
  });

  it('finishes a task with done: 422 with the choices and nothing written, then /me/done ends the session and the task is DONE', async () => {
    await task('TSK-DONE');
    const key = (await start('TSK-DONE')).session.sessionKey;
    const before = await lastSeq();
    const refused = await post(`/sessions/${key}/done`, {});
    expect(refused.status).toBe(422);
    const problem = await json(refused);
    expect(problem).toMatchObject({ code: 'SESSION.CLOSE_REQUIREMENTS_MISSING', choices: ['add what is missing now', 'force close (recorded): --force', 'keep working'] });
    expect(problem.missing.map((m: { kind: string }) => m.kind)).toEqual(['summary', 'progress']);
    expect((await json(await post(`/sessions/${key}/done`, { summary: 'Did it' }))).missing.map((m: { kind: string }) => m.kind)).toEqual(['progress']);
    expect(await lastSeq()).toBe(before);

    expect((await post(`/sessions/${key}/progress`, { text: 'half way', percent: 50 })).status).toBe(201);
    const done = await post('/me/done', { summary: 'Did it' }, AGENT, { 'x-orch-session': key });
    expect(done.status).toBe(200);
    expect((await json(done)).session).toMatchObject({ sessionKey: key, status: 'COMPLETED', fields: { summary: 'Did it' } });
    const t = await json(await system.fetch('/api/v1/tasks/TSK-DONE', { headers: { 'x-orch-min-seq': done.headers.get('x-orch-seq')! } }));
    expect(t.status).toBe('DONE');
    expect(t.metadata.session).toMatchObject({ session_key: key, status: 'COMPLETED', active: false });
  });

  it('ends a session as FAILED (forced before CLOSE), and counts its time towards the task across sessions', async () => {
    await task('TSK-FAIL', { estimateMinutes: 60 });
    const key = (await start('TSK-FAIL')).session.sessionKey;
    const before = await lastSeq();
    const notAtClose = await post(`/sessions/${key}/end`, { status: 'FAILED' });
    expect(notAtClose.status).toBe(422);
    expect((await json(notAtClose)).code).toBe('SESSION.NOT_AT_CLOSE');
    expect(await lastSeq()).toBe(before);
    const failed = await post(`/sessions/${key}/end`, { status: 'FAILED', force: true, reason: 'the API it needs is gone' });
    expect(failed.status).toBe(200);
    const first = await json(failed);
    expect(first.session).toMatchObject({ status: 'FAILED', endedAt: expect.any(String) });
    const seq = failed.headers.get('x-orch-seq')!;
    expect((await loggedSince(before)).filter((e) => e.type === 'orchestration.session.end').map((e) => e.data)).toEqual([expect.objectContaining({ sessionKey: key, status: 'FAILED', forced: true, reason: 'the API it needs is gone' })]);
    const listed = await json(await system.fetch('/api/v1/sessions?task=TSK-FAIL&status=FAILED', { headers: { 'x-orch-min-seq': seq } }));
    expect(listed.items.map((i: { sessionKey: string }) => i.sessionKey)).toEqual([key]);
    const afterFirst = await json(await system.fetch('/api/v1/tasks/TSK-FAIL', { headers: { 'x-orch-min-seq': seq } }));
    const firstMs = afterFirst.metadata.time_tracking.actual_ms;
    expect(afterFirst.metadata).toMatchObject({ session: { status: 'FAILED', active: false }, time_tracking: { actual_ms: first.instructions.contextReminder.timeElapsedMs, estimate_minutes: 60, sessions: 1 } });
    expect(afterFirst.status).toBe('IN_PROGRESS');

    // A second session on the same task: its time and the task's total (both sessions) against the estimate.
    const second = await start('TSK-FAIL');
    expect(second).toMatchObject({ outcome: 'started' });
    expect(second.session.sessionKey).not.toBe(key);
    const b = await json(await system.fetch(`/api/v1/sessions/${second.session.sessionKey}/briefing`, { key: AGENT }));
    expect(b.time.taskActiveMs).toBe(b.time.activeMs + firstMs);
    expect(b.time).toMatchObject({ estimateMinutes: 60, overEstimate: false, taskTimeSpent: expect.any(String) });
    const ended = await post(`/sessions/${second.session.sessionKey}/end`, { force: true });
    const secondMs = (await json(ended)).instructions.contextReminder.timeElapsedMs;
    const total = await json(await system.fetch('/api/v1/tasks/TSK-FAIL', { headers: { 'x-orch-min-seq': ended.headers.get('x-orch-seq')! } }));
    expect(total.metadata.time_tracking).toEqual({ actual_ms: firstMs + secondMs, estimate_minutes: 60, sessions: 2 });
  });

  it('builds CHANGES.md from every session of the task, and links pull requests on configured self-hosted hosts', async () => {
    await task('TSK-MULTI');
    const noSession = await post('/tasks/TSK-MULTI/pull-request', { url: 'https://github.com/acme/app/pull/1' });
    expect(noSession.status).toBe(422);
    expect(await json(noSession)).toMatchObject({ code: 'SESSION.NO_SESSION_FOR_TASK', missing: [{ kind: 'session', hint: 'start a session on the task first: orch session-start TSK-MULTI' }] });
    expect((await post('/tasks/TSK-NEVER/pull-request', { url: 'https://github.com/acme/app/pull/1' })).status).toBe(404);

    const first = (await start('TSK-MULTI')).session.sessionKey;
    expect((await post(`/sessions/${first}/commits`, { hash: 'aaaaaaa1111111111111111111111111aaaaaaaa', message: 'feat: first half', author: 'Jo' })).status).toBe(201);
    expect((await post(`/sessions/${first}/changes`, { files: ['src/a.ts'], diffSummary: '1 file changed' })).status).toBe(200);
    expect((await post(`/sessions/${first}/end`, { force: true })).status).toBe(200);
    const second = (await start('TSK-MULTI')).session.sessionKey;
    expect((await post(`/sessions/${second}/commits`, { hash: 'bbbbbbb2222222222222222222222222bbbbbbbb', message: 'feat: second half', author: 'Jo' })).status).toBe(201);
    const refused = await post('/tasks/TSK-MULTI/pull-request', { url: 'https://git.acme.corp/acme/app/-/merge_requests/3' }); // configured as github
    expect(refused.status).toBe(400);
    const pr = await post('/tasks/TSK-MULTI/pull-request', { url: 'https://git.acme.corp/acme/app/pull/9' });
    expect(pr.status).toBe(200);
    expect((await json(pr)).session).toMatchObject({ sessionKey: second, pullRequest: { provider: 'github', number: 9 } });
    const md = await (await system.fetch('/api/v1/tasks/TSK-MULTI/changes.md', { key: AGENT, headers: { 'x-orch-min-seq': pr.headers.get('x-orch-seq')! } })).text();
    expect(md).toContain('## Related Commits\n- aaaaaaa - feat: first half (Phase: intake)\n- bbbbbbb - feat: second half (Phase: intake)\n');
    expect(md).toContain('## Modified Files\n- src/a.ts\n');
    expect(md).toContain('## Pull Request\n- https://git.acme.corp/acme/app/pull/9 (#9)');
  });

  it('acts on the caller’s context under /me, or on the session named by X-Orch-Session', async () => {
    await task('TSK-ME1');
    await task('TSK-ME2');
    const one = (await start('TSK-ME1')).session.sessionKey;
    const two = (await start('TSK-ME2')).session.sessionKey;
    expect(await json(await system.fetch('/api/v1/me/context', { key: AGENT }))).toMatchObject({ taskCode: 'TSK-ME2', sessionKey: two });
    const note = await json(await post('/me/notes', { text: 'on the current one' }));
    expect(note.session.sessionKey).toBe(two);
    const named = await json(await post('/me/notes', { text: 'on the named one' }, AGENT, { 'x-orch-session': one }));
    expect(named.session.sessionKey).toBe(one);
    const bad = await post('/me/notes', { text: 'x' }, AGENT, { 'x-orch-session': 'nope' });
    expect(bad.status).toBe(400);
    expect((await json(bad)).errors[0].path).toBe('headers.x-orch-session');
    const briefing = await json(await system.fetch('/api/v1/me/briefing?actions=2', { key: AGENT, headers: { 'x-orch-session': one } }));
    expect(briefing.lastActions.map((a: { summary: string }) => a.summary)).toEqual(['note: on the named one', 'started phase INTAKE']);
  });

  it("briefs with the task's status and estimate and its open bugs, from the session service's own facts", async () => {
    await task('TSK-BRIEF', { type: 'bug_fix', estimateMinutes: 45 });
    const key = (await start('TSK-BRIEF')).session.sessionKey;
    const bug = await post('/bugs', { message: "TypeError: Cannot read properties of undefined (reading 'id')", file: 'src/a.ts', taskCode: 'TSK-BRIEF' });
    expect(bug.status).toBe(201);
    const b = await json(await system.fetch(`/api/v1/sessions/${key}/briefing`, { key: AGENT, headers: { 'x-orch-min-seq': bug.headers.get('x-orch-seq')! } }));
    expect(b).toMatchObject({ task: { code: 'TSK-BRIEF', title: 'Work on TSK-BRIEF', status: 'IN_PROGRESS', estimateMinutes: 45 }, bugsUnavailable: false, phases: ['INTAKE', 'RESEARCH', 'EXECUTE', 'REVIEW', 'CLOSE'] });
    expect(b.openBugs).toEqual([expect.objectContaining({ message: "TypeError: Cannot read properties of undefined (reading 'id')", occurrenceCount: 1 })]);
  });

  it('takes shared state with If-Match, answering the state version as ETag, and 412 when stale', async () => {
    await task('TSK-STATE');
    const started = await start('TSK-STATE');
    expect(started).toMatchObject({ outcome: 'started' });
    const key = started.session.sessionKey;
    const first = await system.fetch(`/api/v1/sessions/${key}/context`, { method: 'PATCH', key: AGENT, json: { set: { branch: 'feat/x' } }, headers: { 'if-match': '"0"' } });
    expect(first.status).toBe(200);
    expect(first.headers.get('etag')).toBe('"1"');
    const stale = await system.fetch(`/api/v1/sessions/${key}/context`, { method: 'PATCH', key: AGENT, json: { set: { branch: 'y' } }, headers: { 'if-match': '"0"' } });
    expect(stale.status).toBe(412);
  });

  describe('refuses bad input with a problem naming the field, and writes nothing', () => {
    const KEY = 'sess_TSK-WALK_20260101_000000';
    it.each([
      ['malformed JSON', () => system.fetch('/api/v1/sessions', { body: '{"taskCode": ', headers: { 'content-type': 'application/json' }, key: AGENT }), 400, undefined],
      ['a wrong type', () => post('/sessions', { taskCode: 42 }), 400, 'body.taskCode'],
      ['an unknown field', () => post('/sessions', { taskCode: 'TSK-WALK', hack: true }), 400, undefined],
      ['an unknown task', () => post('/sessions', { taskCode: 'TSK-NOPE' }), 404, undefined],
      ['a hostile session key', () => post(`/sessions/${encodeURIComponent("sess_x'; DROP TABLE x;--")}/notes`, { text: 'x' }), 400, 'params.key'],
      ['an unknown session', () => post(`/sessions/${KEY.replace('WALK', 'GONE')}/notes`, { text: 'x' }), 404, undefined],
      ['an empty note', () => post(`/sessions/${KEY}/notes`, { text: '   ' }), 400, 'body.text'],
      ['an artifact path', () => post(`/sessions/${KEY}/artifacts`, { name: '../../etc/passwd', content: 'x' }), 400, 'body.name'],
      ['an oversized artifact (413)', () => post(`/sessions/${KEY}/artifacts`, { name: 'BIG.md', content: 'x'.repeat(256 * 1024 + 10) }), 413, undefined],
      ['an artifact under 256 K characters but over 256 KB of UTF-8 (413)', () => post('/me/artifacts', { name: 'EURO.md', content: '€'.repeat(90_000) }, AGENT, { 'x-orch-session': KEY }), 413, undefined],
      ['an override without reason', () => post(`/sessions/${KEY}/phase-complete`, { override: true }), 400, 'body.reason'],
      ['a non-PR url', () => post('/tasks/TSK-WALK/pull-request', { url: 'https://example.com/not/a/pr' }), 400, 'url'],
      ['a viewer writing', () => post('/sessions', { taskCode: 'TSK-WALK' }, 'dev-viewer-key'), 403, undefined],
    ] as const)('%s', async (_what, send, status, path) => {
      const before = await lastSeq();
      const res = await send();
      expect(res.status).toBe(status);
      const problem = await json(res);
      expect(problem.code).toEqual(status === 413 ? 'SESSION.ARTIFACT_TOO_LARGE' : expect.any(String));
      if (path) expect(problem.errors.map((e: { path: string }) => e.path)).toContain(path);
      expect(await lastSeq()).toBe(before);
    });
  });
});
