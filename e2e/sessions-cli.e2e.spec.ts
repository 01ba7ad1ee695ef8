import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SystemUnderTest, waitFor } from '@orch/testing';

const CLI = join(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');

/**
 * The `orch` CLI as an agent drives it: a real process per command, in a temporary git repository
 * (real `git`), with `--json` output parsed, through all six phases of a session.
 */
describe('the orch CLI through a whole session, in a git repository', () => {
  let system: SystemUnderTest;
  let repo: string;
  let home: string;

  const orch = (args: string[], key = 'dev-agent-key') =>
    new Promise<{ code: number; out: string; err: string; json: any }>((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], { cwd: repo, env: { ...process.env, ORCH_URL: system.url, ORCH_API_KEY: key, ORCH_HOME: home } });
      let out = '';
      let err = '';
      child.stdout.on('data', (c) => (out += c));
      child.stderr.on('data', (c) => (err += c));
      child.on('close', (code) => {
        let json: unknown;
        try {
          json = JSON.parse(out);
        } catch {
          json = undefined;
        }
        resolve({ code: code ?? -1, out, err, json });
      });
    });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });
  const write = (name: string, text: string) => writeFileSync(join(repo, name), text);

  beforeAll(async () => {
    system = await SystemUnderTest.start({ services: ['planner', 'session-service', 'bug-service'] });
    repo = mkdtempSync(join(tmpdir(), 'orch-cli-repo-'));
    home = mkdtempSync(join(tmpdir(), 'orch-cli-home-'));
    git('init', '-q', '-b', 'main');
    git('config', 'user.name', 'Agent Smith');
    git('config', 'user.email', 'agent@example.com');
    write('README.md', '# demo\n');
    git('add', '.');
    git('commit', '-q', '-m', 'initial commit');
    const res = await system.fetch('/api/v1/tasks', { json: { code: 'TSK-CLI', sprintCode: undefined, title: 'Add the greeting', description: 'Say hello', estimateMinutes: 20 } });
    expect(res.status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await system?.stop();
  });

  it('drives INTAKE → CLOSE with gates, git hooks, a pull request and exit codes', async () => {
    expect((await orch(['sprint-start', 'SPR-CLI', '--json'])).code).toBe(1); // no such sprint yet
    expect((await system.fetch('/api/v1/sprints', { json: { code: 'SPR-CLI', title: 'CLI sprint' } })).status).toBe(201);
    expect((await orch(['sprint-start', 'SPR-CLI', '--json'])).json).toMatchObject({ sprintCode: 'SPR-CLI' });
    expect(JSON.parse(readFileSync(join(home, 'context.json'), 'utf8'))).toEqual({ sprintCode: 'SPR-CLI' });
    expect((await orch(['task-start', 'TSK-CLI', '--json'])).json).toMatchObject({ taskCode: 'TSK-CLI' });
    const started = await orch(['session-start', '--json']);
    expect(started.code).toBe(0);
    expect(started.json).toMatchObject({ outcome: 'started', session: { taskCode: 'TSK-CLI', currentPhase: 'INTAKE' } });
    const key = started.json.session.sessionKey;
    expect(JSON.parse(readFileSync(join(home, 'context.json'), 'utf8'))).toMatchObject({ taskCode: 'TSK-CLI', sessionKey: key });

    const gate = await orch(['phase-complete', '--json']);
    expect(gate.code).toBe(3);
    expect(gate.err).toContain('missing artifact TASK.md: register it: orch artifact TASK.md ./TASK.md');
    expect((await orch(['phase-complete', '--override', '--json'])).code).toBe(2);

    for (const [name, phase] of [['TASK.md', 'RESEARCH'], ['CONTEXT.md', 'PLAN'], ['PLAN.md', 'EXECUTE']]) {
      write(name!, `# ${name}\n`);
      expect((await orch(['artifact', name!, '--json'])).code).toBe(0);
      const next = await orch(['phase-complete', '--json']);
      expect(next.code).toBe(0);
      expect(next.json.session.currentPhase).toBe(phase);
    }
    const first = git('rev-parse', 'HEAD').trim();
    const inExecute = await orch(['status', '--json']);
    expect(inExecute.json.session.session.commits).toEqual([expect.objectContaining({ hash: first, phase: 'EXECUTE', author: 'Agent Smith <agent@example.com>' })]);
    expect(inExecute.json.repository).toMatchObject({ branch: 'main' });

    write('hello.ts', 'export const hello = () => "hello";\n');
    git('add', 'hello.ts');
    git('commit', '-q', '-m', 'feat: say hello');
    const second = git('rev-parse', 'HEAD').trim();
    expect((await orch(['note', 'greeting added', '--json'])).code).toBe(0);
    expect((await orch(['update', 'implementation done', '--percent', '80', '--json'])).code).toBe(0);

    const review = await orch(['phase-complete', '--json']);
    expect(review.code).toBe(0);
    expect(review.json.session).toMatchObject({ currentPhase: 'REVIEW', changes: { files: ['CONTEXT.md', 'PLAN.md', 'TASK.md', 'hello.ts'] } });
    expect(review.json.session.commits.map((c: { hash: string }) => c.hash)).toEqual([first, second]);
    expect(review.json.session.changes.diffSummary).toMatch(/1 file changed, 1 insertion/);

    write('CHANGES.md', '# Changes\n');
    await orch(['artifact', 'CHANGES.md', '--json']);
    expect((await orch(['phase-complete', '--json'])).code).toBe(3); // test_results missing
    const close = await orch(['phase-complete', '--field', 'test_results=1 passed', '--json']);
    expect(close.json.session.currentPhase).toBe('CLOSE');

    const pr = await orch(['git-link-pr', 'TSK-CLI', 'https://github.com/acme/demo/pull/7', '--json']);
    expect(pr.json.session.pullRequest).toMatchObject({ provider: 'github', number: 7 });
    expect((await orch(['session-end', '--json'])).code).toBe(3); // the summary CLOSE asks for
    const ended = await orch(['session-end', '--summary', 'Greeting shipped', '--json']);
    expect(ended.code).toBe(0);
    expect(ended.json.session).toMatchObject({ status: 'COMPLETED', fields: { summary: 'Greeting shipped', test_results: '1 passed' } });
    expect(ended.json.session.phaseHistory.map((p: { phase: string }) => p.phase)).toEqual(['INTAKE', 'RESEARCH', 'PLAN', 'EXECUTE', 'REVIEW', 'CLOSE']);
    expect(JSON.parse(readFileSync(join(home, 'context.json'), 'utf8')).sessionKey).toBeUndefined();
    expect(readFileSync(join(repo, '.orch', 'TSK-CLI', 'PLAN.md'), 'utf8')).toBe('# PLAN.md\n'); // files.sync at close

    const md = await (await system.fetch('/api/v1/tasks/TSK-CLI/changes.md')).text();
    expect(md).toContain(`- ${second.slice(0, 7)} - feat: say hello (Phase: execute)`);
    expect(md).toContain('- hello.ts');
  }, 240_000); // about 25 cold CLI processes: minutes on a busy machine

  it('of 10 concurrent `orch phase-complete` processes one advances and the rest exit 4; a refused completion records no commit', async () => {
    expect((await system.fetch('/api/v1/tasks', { json: { code: 'TSK-CLIRACE', title: 'Race' } })).status).toBe(201);
    const key = (await orch(['session-start', 'TSK-CLIRACE', '--json'])).json.session.sessionKey;
    const http = (path: string, json: unknown) => system.fetch(`/api/v1/sessions/${key}${path}`, { json, key: 'dev-agent-key' });
    // Every gate up to EXECUTE is met: a process that completed whatever phase is current would advance twice.
    for (const name of ['TASK.md', 'CONTEXT.md', 'PLAN.md']) expect((await http('/artifacts', { name, content: `# ${name}\n` })).status).toBe(201);
    const racers = await Promise.all(Array.from({ length: 10 }, () => orch(['phase-complete', '--json'])));
    expect(racers.map((r) => r.code).sort()).toEqual([0, 4, 4, 4, 4, 4, 4, 4, 4, 4]);
    expect(racers.find((r) => r.code === 4)!.err).toContain('SESSION.PHASE_MOVED');
    expect((await orch(['status', '--json'])).json.session.session.currentPhase).toBe('RESEARCH');

    for (const phase of ['RESEARCH', 'PLAN']) expect((await http('/phase-complete', { phase })).status).toBe(200);
    expect((await orch(['status', '--json'])).json.session.session.currentPhase).toBe('EXECUTE');
    write('race.ts', 'export const race = 1;\n');
    git('add', 'race.ts');
    git('commit', '-q', '-m', 'feat: race');
    const head = git('rev-parse', 'HEAD').trim();
    const refused = await orch(['phase-complete', '--to', 'CLOSE', '--json']); // allow_phase_skip is off: 422
    expect(refused.code).toBe(3);
    expect((await orch(['status', '--json'])).json.session.session.commits).toEqual([]);
    // EXECUTE declares execute.step_complete (the seeds' template): an agent emits it with an update; an undeclared one is refused.
    const seqBefore = await system.lastSeq();
    const undeclared = await orch(['update', 'deployed it', '--event', 'deployed']);
    expect(undeclared.code).toBe(3);
    expect(undeclared.err).toContain('SESSION.EVENT_NOT_DECLARED');
    expect(await system.lastSeq()).toBe(seqBefore);
    expect((await orch(['update', 'step 1 of 2 done', '--event', 'step_complete', '--json'])).code).toBe(0);
    const store = await system.store();
    const emitted = (await store.readSubject(system.subjects.aggregate('session', key))).flatMap((c) => c.events).filter((e) => e.type === 'orchestration.phase.execute.step_complete');
    expect(emitted.map((e) => e.data)).toEqual([expect.objectContaining({ phase: 'EXECUTE', event: 'execute.step_complete', text: 'step 1 of 2 done' })]);

    const done = await orch(['phase-complete', '--json']);
    expect(done.code).toBe(0);
    expect(done.json.session.commits).toEqual([expect.objectContaining({ hash: head, phase: 'EXECUTE' })]);
  }, 180_000);

  it('finishes a task with `orch done` (exit 3 with the choices first) and ends one as FAILED with `orch session-end --failed`', async () => {
    expect((await system.fetch('/api/v1/tasks', { json: { code: 'TSK-CLIDONE', title: 'Done' } })).status).toBe(201);
    expect((await orch(['session-start', 'TSK-CLIDONE', '--json'])).code).toBe(0);
    const refused = await orch(['done']);
    expect(refused.code).toBe(3);
    expect(refused.err).toContain('SESSION.CLOSE_REQUIREMENTS_MISSING');
    expect(refused.err).toContain('missing summary summary: say what was done: orch done "summary"');
    expect(refused.err).toContain('force close (--force, recorded), or keep working');
    expect((await orch(['update', 'greeting works'])).code).toBe(0);
    const done = await orch(['done', 'Greeting shipped', '--json']);
    expect(done.code).toBe(0);
    expect(done.json.session).toMatchObject({ status: 'COMPLETED', fields: { summary: 'Greeting shipped' } });
    expect(JSON.parse(readFileSync(join(home, 'context.json'), 'utf8')).sessionKey).toBeUndefined();
    const task = await waitFor('the task DONE', async () => {
      const t: any = await (await system.fetch('/api/v1/tasks/TSK-CLIDONE')).json();
      return t.status === 'DONE' && t;
    });
    expect(task.metadata.session).toMatchObject({ status: 'COMPLETED', active: false });

    expect((await system.fetch('/api/v1/tasks', { json: { code: 'TSK-CLIFAIL', title: 'Fail' } })).status).toBe(201);
    expect((await orch(['session-start', 'TSK-CLIFAIL', '--json'])).code).toBe(0);
    expect((await orch(['session-end', '--failed'])).code).toBe(3); // not at CLOSE: --force says so
    const failed = await orch(['session-end', '--failed', '--force', '--reason', 'the API is gone', '--json']);
    expect(failed.code).toBe(0);
    expect(failed.json.session).toMatchObject({ taskCode: 'TSK-CLIFAIL', status: 'FAILED' });
    expect(failed.json.instructions.suggestedCommands).toEqual(['orch status', 'orch task list --status READY']);
  }, 120_000);

  it('answers a conflict with exit code 4 and human output by default', async () => {
    const res = await system.fetch('/api/v1/tasks', { json: { code: 'TSK-CLI2', title: 'Second' } });
    expect(res.status).toBe(201);
    const started = await orch(['session-start', 'TSK-CLI2', '--agent', 'agent-a']);
    expect(started.code).toBe(0);
    expect(started.out).toContain('phase    INTAKE (1/6)');
    expect(started.out).toContain('orch artifact TASK.md ./TASK.md');
    const taken = await orch(['session-resume', '--agent', 'agent-b']);
    expect(taken.code).toBe(4);
    expect(taken.err).toContain('SESSION.HELD');
  }, 120_000);

  it('keeps state and the conversation of the current session, with versions, scopes and exit codes', async () => {
    expect((await system.fetch('/api/v1/tasks', { json: { code: 'TSK-CLI3', title: 'Third' } })).status).toBe(201);
    expect((await orch(['session-start', 'TSK-CLI3', '--json'])).code).toBe(0); // now the current session

    const set = await orch(['state', 'set', 'approach', '{"theme": "css-variables"}', '--json']);
    expect(set.json).toMatchObject({ name: 'approach', scope: 'shared', value: { theme: 'css-variables' }, version: 1, removed: false });
    expect((await orch(['state', 'set', 'attempts', '3'])).out).toContain('set attempts (shared) version 1');
    expect((await orch(['state', 'get', 'attempts'])).out).toBe('3\n'); // JSON when it parses as JSON
    expect((await orch(['state', 'set', 'note', 'plain words', '--json'])).json.value).toBe('plain words');
    // A write on a version that moved on: exit 4, nothing written.
    const stale = await orch(['state', 'set', 'approach', '"tailwind"', '--if-version', '0']);
    expect(stale.code).toBe(4);
    expect((await orch(['state', 'get', 'approach', '--json'])).json).toMatchObject({ value: { theme: 'css-variables' }, version: 1 });
    expect((await orch(['state', 'set', 'approach', '"tailwind"', '--if-version', '1', '--json'])).json.version).toBe(2);
    expect((await orch(['state', 'set', 'draft', '"mine"', '--scope', 'private', '--json'])).json).toMatchObject({ scope: 'private', owner: expect.any(String) });
    expect((await orch(['state', 'set', 'lock', '"held"', '--scope', 'temporary', '--ttl', '60', '--json'])).json.expiresAt).toEqual(expect.any(String));
    const bad = await orch(['state', 'set', 'lock2', '"held"', '--scope', 'temporary']); // no --ttl
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('ttlSeconds');

    const listed = await orch(['state', 'list']);
    expect(listed.out).toMatch(/approach\s+shared\s+-\s+2\s+"tailwind"/);
    expect(listed.out).toMatch(/draft\s+private\s+\S+\s+1\s+"mine"/);
    const history = (await orch(['state', 'history', 'approach', '--json'])).json;
    expect(history.items.map((c: { version: number }) => c.version)).toEqual([2, 1]);
    expect((await orch(['state', 'rm', 'approach', '--json'])).json).toMatchObject({ removed: true, version: 3 });
    expect((await orch(['state', 'get', 'approach'])).code).toBe(1);

    const said = await orch(['conversation', 'add', 'user', 'Make the switch remember the choice']);
    expect(said.out).toContain('turn 1 (user) recorded');
    const replied = await orch(['conversation', 'add', 'assistant', 'Stored in localStorage', '--tokens-in', '120', '--tokens-out', '30', '--json']);
    expect(replied.json.turn).toMatchObject({ turn: 2, role: 'assistant', tokens: { input: 120, output: 30 } });
    expect((await orch(['conversation', 'add', 'robot', 'beep'])).code).toBe(2); // a usage error, nothing sent
    const turns = await orch(['conversation', 'list', '--limit', '1']);
    expect(turns.out).toContain('#2 assistant');
    expect(turns.out).toContain('Stored in localStorage');
    expect(turns.err).toBe('more: orch conversation list --before 2\n');
    expect((await orch(['conversation', 'list', '--json'])).json.items.map((t: { content: string }) => t.content)).toEqual(['Make the switch remember the choice', 'Stored in localStorage']);

    // A bug logged with no task named belongs to the current task and session, so the briefing a
    // person reads after a crash shows it next to the last turns of the conversation.
    const logged = await orch(['bug-log', 'TypeError: theme is undefined', '--action', 'continue', '--json']);
    expect(logged.json.bug).toMatchObject({ tasks: ['TSK-CLI3'], sessions: [expect.stringMatching(/^sess_TSK-CLI3_/)] });
    const briefing = await waitFor('the bug in the briefing', async () => {
      const resumed = await orch(['session-resume']);
      return resumed.out.includes('open bugs:') && resumed.out;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    expect(briefing).toContain('TypeError: theme is undefined');
    expect(briefing).toContain('recent conversation:\n  - user: Make the switch remember the choice\n  - assistant: Stored in localStorage\n');
  }, 120_000);
});
