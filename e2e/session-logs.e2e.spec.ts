import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SystemUnderTest, waitFor } from '@orch/testing';

const CLI = join(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');
const AGENT = 'dev-agent-key';
const VIEWER = 'dev-viewer-key';
const json = (res: Response): Promise<any> => res.json();

/**
 * Agent logs per session through the real system (gateway, planner and session service as
 * processes): appending with redaction, filters and paging, stats, the NDJSON export, roles, bad
 * input (nothing written), and `orch logs -f` tailing new lines until Ctrl-C.
 */
describe('session logs, end to end', () => {
  let system: SystemUnderTest;
  let mine: string;
  let theirs: string;
  const logs = (key: string) => `/api/v1/sessions/${key}/logs`;
  const post = (key: string, body: unknown, apiKey = AGENT, headers: Record<string, string> = {}) => system.fetch(logs(key), { method: 'POST', json: body, key: apiKey, headers });
  const get = (path: string, apiKey = AGENT) => system.fetch(path, { key: apiKey });
  const total = async (key: string) => (await json(await get(`${logs(key)}/stats`, 'dev-admin-key'))).total as number;
  const task = async (code: string) => expect((await system.fetch('/api/v1/tasks', { json: { code, title: `Work on ${code}` } })).status).toBe(201);
  const line = (level: string, message: string, source = 'agent') => ({ level, source, message });

  beforeAll(async () => {
    system = await SystemUnderTest.start({ services: ['planner', 'session-service'] });
    await task('TSK-LOGS');
    await task('TSK-OTHER');
    mine = (await json(await system.fetch('/api/v1/sessions', { json: { taskCode: 'TSK-LOGS' }, key: AGENT }))).session.sessionKey;
    // Held by another agent: the dev agent key may not touch its logs.
    theirs = (await json(await system.fetch('/api/v1/sessions', { json: { taskCode: 'TSK-OTHER', agentId: 'other-agent' } }))).session.sessionKey;
  }, 60_000);

  afterAll(async () => {
    await system?.stop();
  });

  it('appends a batch with secrets redacted, then filters, pages and counts it', async () => {
    const res = await post(mine, {
      lines: [
        line('debug', 'warming the cache'),
        line('info', 'cloning with token ghp_abcdefghijklmnopqrstuvwxyz0123456789'),
        { ...line('warn', 'Slow test in src/Auth.spec.ts', 'task'), at: '2026-01-01T10:00:00.000Z', context: { ms: 5123 } },
        line('error', 'AssertionError in src/auth.spec.ts', 'task'),
        line('critical', 'out of memory', 'system'),
      ],
    });
    expect(res.status).toBe(201);
    const reply = await json(res);
    expect(reply).toMatchObject({ sessionKey: mine, accepted: 5, redactions: 1, warnings: ['1 secret(s) redacted from the lines before storing'] });
    expect(res.headers.get('x-orch-seq')).toBeNull(); // not on the event log

    const all = await json(await get(logs(mine)));
    expect(all.items.map((l: any) => l.message)).toEqual(['warming the cache', expect.stringContaining('cloning with token'), 'Slow test in src/Auth.spec.ts', 'AssertionError in src/auth.spec.ts', 'out of memory']);
    expect(all.items[1].message).not.toContain('ghp_abcdefghijklmnopqrstuvwxyz0123456789');
    expect(all.items[2]).toMatchObject({ at: '2026-01-01T10:00:00.000Z', context: { ms: 5123 } });

    expect((await json(await get(`${logs(mine)}?level=error`))).items.map((l: any) => l.level)).toEqual(['error', 'critical']);
    expect((await json(await get(`${logs(mine)}?source=task&q=SRC%2FAUTH`))).items.map((l: any) => l.level)).toEqual(['warn', 'error']);
    const firstTwo = await json(await get(`${logs(mine)}?limit=2`));
    expect(firstTwo).toMatchObject({ more: true, next: firstTwo.items[1].cursor });
    const rest = await json(await get(`${logs(mine)}?since=${encodeURIComponent(firstTwo.next)}`));
    expect(rest.items.map((l: any) => l.level)).toEqual(['warn', 'error', 'critical']);

    const stats = await json(await get(`${logs(mine)}/stats`, VIEWER));
    expect(stats).toMatchObject({ total: 5, byLevel: { debug: 1, info: 1, warn: 1, error: 1, critical: 1 }, bySource: { agent: 2, task: 2, system: 1, orchestrator: 0 }, errorRate: 0.4 });
  });

  it('exports every line as NDJSON, streamed in chunks across pages', async () => {
    const key = mine;
    const before = await total(key);
    for (let b = 0; b < 3; b++) expect((await post(key, { lines: Array.from({ length: 500 }, (_, i) => line('info', `bulk ${b}-${i}`)) })).status).toBe(201);
    const res = await get(`${logs(key)}/export`, VIEWER);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    expect(res.headers.get('content-length')).toBeNull();
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    const rows = (await res.text()).trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(before + 1500);
    expect(rows[rows.length - 1]).toMatchObject({ message: 'bulk 2-499', level: 'info', cursor: expect.stringMatching(/^\d+:\d+$/) });
    expect(new Set(rows.map((r) => r.cursor)).size).toBe(rows.length);

    const errorsOnly = (await (await get(`${logs(key)}/export?level=error`)).text()).trimEnd().split('\n').map((l) => JSON.parse(l).level);
    expect(errorsOnly).toEqual(['error', 'critical']);
  });

  it('refuses bad input with a problem naming it, and writes nothing', async () => {
    const before = await total(mine);
    const problem = async (res: Response, status: number) => {
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      return json(res);
    };
    const malformed = await problem(await system.fetch(logs(mine), { method: 'POST', body: '{"lines": [', headers: { 'content-type': 'application/json' }, key: AGENT }), 400);
    expect(malformed.code).toBeDefined();
    expect((await problem(await post(mine, { lines: [line('fatal', 'x')] }), 400)).errors).toEqual([expect.objectContaining({ path: 'body.lines.0.level' })]);
    expect((await problem(await post(mine, { lines: [line('info', 'x', 'human')] }), 400)).errors).toEqual([expect.objectContaining({ path: 'body.lines.0.source' })]);
    expect((await problem(await post(mine, { lines: Array.from({ length: 501 }, () => line('info', 'x')) }), 400)).errors).toEqual([
      { path: 'body.lines', message: 'must hold at most 500 lines per request (send the rest in another request)' },
    ]);
    expect((await problem(await post(mine, { lines: [line('info', 'y'.repeat(8_193))] }), 400)).errors).toEqual([expect.objectContaining({ path: 'body.lines.0.message', message: expect.stringContaining('at most 8192 characters') })]);
    expect((await problem(await post(mine, { lines: [{ ...line('info', 'x'), at: 'noon' }] }), 400)).errors).toEqual([expect.objectContaining({ path: 'body.lines.0.at' })]);
    expect((await problem(await post(mine, { lines: [line('info', 'x')], extra: true }), 400)).errors).toEqual([expect.objectContaining({ path: 'body.extra' })]);
    expect((await problem(await post(mine, { lines: 'all of them' }), 400)).errors).toEqual([expect.objectContaining({ path: 'body.lines' })]);
    await problem(await post(mine, { lines: [line('info', 'z'.repeat(3 * 1024 * 1024))] }), 413);
    await problem(await get(`${logs(mine)}?since=yesterday`), 400);
    await problem(await get(`${logs(mine)}?level=loud`), 400);
    await problem(await get(`${logs(mine)}?limit=5000`), 400);
    await problem(await post('not-a-key', { lines: [line('info', 'x')] }), 400);
    expect(await total(mine)).toBe(before);
  });

  it('keeps hostile strings exactly as sent (they are data)', async () => {
    const hostile = ["'; DROP TABLE orchestration_sessions; --", '\u001b[2J\u001b]0;pwned\u0007', '💥 ünïcödé \u0000 nul', '<script>alert(1)</script>', '${process.env.SECRET} {{7*7}}'];
    expect((await post(mine, { lines: hostile.map((m) => line('info', m)) })).status).toBe(201);
    const back = await json(await get(`${logs(mine)}?q=${encodeURIComponent('pwned')}`));
    expect(back.items.map((l: any) => l.message)).toEqual([hostile[1]]);
    const page = await json(await get(`${logs(mine)}?since=${encodeURIComponent(back.items[0].cursor.replace(/:\d+$/, ':0'))}&limit=10`));
    expect(page.items.slice(0, 4).map((l: any) => l.message)).toEqual(hostile.slice(1));
  });

  it('answers 404 for an unknown session, 403 to an agent on another agent\'s session and to a viewer writing', async () => {
    const nobody = 'sess_TSK-NOPE_20260101_000000';
    expect((await json(await post(nobody, { lines: [line('info', 'x')] }))).code).toBe('SESSION.NOT_FOUND');
    expect((await get(logs(nobody))).status).toBe(404);
    expect((await get(`${logs(nobody)}/stats`)).status).toBe(404);
    const exp = await get(`${logs(nobody)}/export`);
    expect([exp.status, exp.headers.get('content-type')]).toEqual([404, expect.stringContaining('application/problem+json')]);

    const notYours = await post(theirs, { lines: [line('info', 'sneaky')] });
    expect([notYours.status, (await json(notYours)).code]).toEqual([403, 'SESSION_LOGS.NOT_YOURS']);
    expect((await get(logs(theirs))).status).toBe(403);
    expect((await get(`${logs(theirs)}/stats`)).status).toBe(403);
    expect((await get(`${logs(theirs)}/export`)).status).toBe(403);
    expect((await post(mine, { lines: [line('info', 'viewer')] }, VIEWER)).status).toBe(403);
    expect(await total(theirs)).toBe(0);
    // The admin writes and reads any session's logs.
    expect((await post(theirs, { lines: [line('info', 'from ops')] }, 'dev-admin-key')).status).toBe(201);
    expect((await json(await get(logs(theirs), 'dev-admin-key'))).items.map((l: any) => l.message)).toEqual(['from ops']);
  });

  it('stores a retried request (same Idempotency-Key) once', async () => {
    const before = await total(mine);
    const headers = { 'idempotency-key': `retry-${Date.now()}` };
    const first = await json(await post(mine, { lines: [line('info', 'exactly once')] }, AGENT, headers));
    const again = await json(await post(mine, { lines: [line('info', 'exactly once')] }, AGENT, headers));
    expect(again.last).toBe(first.last);
    expect(await total(mine)).toBe(before + 1);
  });

  describe('orch logs', () => {
    let home: string;
    const orch = (args: string[]) =>
      spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ORCH_URL: system.url, ORCH_API_KEY: AGENT, ORCH_HOME: home, ORCH_LOGS_POLL_MS: '100', NO_COLOR: '1' } });
    const collect = (child: ChildProcessWithoutNullStreams) => {
      const out = { child, stdout: '', stderr: '', code: null as number | null, exited: new Promise<number | null>((r) => child.on('close', (code) => r(code))) };
      child.stdout.on('data', (c) => (out.stdout += c));
      child.stderr.on('data', (c) => (out.stderr += c));
      void out.exited.then((code) => (out.code = code));
      return out;
    };

    beforeAll(async () => {
      home = mkdtempSync(join(tmpdir(), 'orch-logs-home-'));
      await task('TSK-TAIL');
    });

    it('prints the filtered lines of a named session and exits 0', async () => {
      const run = collect(orch(['logs', mine, '--level', 'critical']));
      expect(await run.exited).toBe(0);
      expect(run.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^\S+Z CRITICAL +system +out of memory$/)]);
    });

    it('follows the current session with -f: new lines appear until Ctrl-C, which ends it with 0', async () => {
      const started = collect(orch(['session-start', 'TSK-TAIL', '--json']));
      expect(await started.exited).toBe(0);
      const key = JSON.parse(started.stdout).session.sessionKey as string;
      expect((await post(key, { lines: [line('info', 'before the tail')] })).status).toBe(201);

      const tail = collect(orch(['logs', '-f', '--json']));
      await waitFor('the stored line in the tail', () => tail.stdout.includes('before the tail'), { timeoutMs: 15_000 });
      expect((await post(key, { lines: [line('warn', 'new while tailing'), line('error', 'and another')] })).status).toBe(201);
      await waitFor('the new lines in the tail', () => tail.stdout.includes('and another'), { timeoutMs: 15_000 });
      expect(tail.code).toBeNull(); // still following
      const printed = tail.stdout.trim().split('\n').map((l) => JSON.parse(l).message);
      expect(printed).toEqual(['before the tail', 'new while tailing', 'and another']);
      tail.child.kill('SIGINT');
      expect(await tail.exited).toBe(0);
    }, 60_000);
  });
});

