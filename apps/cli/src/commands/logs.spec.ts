import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionLogLine, SessionLogPage } from '@orch/contracts';
import { runCli } from '../cli';
import { ApiError } from '../client';
import { updateContext } from '../context-store';
import { ANSI, PLAIN } from '../output';
import { fakeGateway } from '../testing/fake-gateway';
import { formatLine, printLogs, safeText, sinceValue } from './logs';

const KEY = 'sess_TSK-1_20260101_000000';
const line = (n: number, over: Partial<SessionLogLine> = {}): SessionLogLine => ({ cursor: `7:${n}`, level: 'info', source: 'agent', message: `line ${n}`, at: '2026-01-01T12:00:00.000Z', receivedAt: '2026-01-01T12:00:00.100Z', ...over });
const page = (items: SessionLogLine[], more = false): SessionLogPage => ({ sessionKey: KEY, items, next: items.length ? items[items.length - 1]!.cursor : null, more });

async function run(args: string[], env: NodeJS.ProcessEnv) {
  let out = '';
  let err = '';
  const code = await runCli(args, { io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } }, env });
  return { code, out, err };
}

describe('orch logs', () => {
  let home: string;
  const env = (url: string) => ({ ORCH_URL: url, ORCH_HOME: home, ORCH_API_KEY: 'k', NO_COLOR: '1' });
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'orch-home-'));
  });

  it('prints every page of the current session, passing the filters on', async () => {
    const gw = await fakeGateway((req) => ({ status: 200, body: new URL(req.url, 'http://x').searchParams.get('since') === '7:1' ? page([line(2, { level: 'error', context: { file: 'a.ts' } })]) : page([line(0), line(1)], true) }));
    try {
      updateContext({ sessionKey: KEY }, { ORCH_HOME: home });
      const r = await run(['logs', '--level', 'WARN', '--source', 'task', '--grep', 'fail', '--since', '2026-01-01T11:00:00Z'], env(gw.url));
      expect([r.code, r.err]).toEqual([0, '']);
      expect(r.out).toBe(
        '2026-01-01T12:00:00.000Z INFO     agent        line 0\n' +
          '2026-01-01T12:00:00.000Z INFO     agent        line 1\n' +
          '2026-01-01T12:00:00.000Z ERROR    agent        line 2  {"file":"a.ts"}\n',
      );
      const first = new URL(gw.requests[0]!.url, 'http://x');
      expect(first.pathname).toBe(`/api/v1/sessions/${KEY}/logs`);
      expect(Object.fromEntries(first.searchParams)).toEqual({ level: 'warn', source: 'task', q: 'fail', since: '2026-01-01T11:00:00Z', limit: '1000' });
      expect(new URL(gw.requests[1]!.url, 'http://x').searchParams.get('since')).toBe('7:1');
    } finally {
      await gw.close();
    }
  });

  it('prints one JSON object per line with --json, for a named session', async () => {
    const gw = await fakeGateway(() => ({ status: 200, body: page([line(0), line(1)]) }));
    try {
      const r = await run(['logs', 'sess_TSK-9_20260101_000000', '--json'], env(gw.url));
      expect(r.out.trim().split('\n').map((l) => JSON.parse(l).message)).toEqual(['line 0', 'line 1']);
      expect(gw.requests[0]!.url).toContain('/api/v1/sessions/sess_TSK-9_20260101_000000/logs');
    } finally {
      await gw.close();
    }
  });

  it('exits 2 without a session or with a bad option, asking nothing; 1 with the problem for an unknown session', async () => {
    const gw = await fakeGateway(() => ({ status: 404, body: { code: 'SESSION.NOT_FOUND', detail: 'Session sess_TSK-X_20260101_000000 does not exist' } }));
    try {
      expect((await run(['logs'], env(gw.url))).code).toBe(2);
      expect((await run(['logs', KEY, '--level', 'loud'], env(gw.url))).code).toBe(2);
      expect((await run(['logs', KEY, '--grep', ' '], env(gw.url))).code).toBe(2);
      expect(gw.requests).toEqual([]);
      const missing = await run(['logs', 'sess_TSK-X_20260101_000000'], env(gw.url));
      expect(missing.code).toBe(1);
      expect(missing.err).toContain('error SESSION.NOT_FOUND: Session sess_TSK-X_20260101_000000 does not exist');
    } finally {
      await gw.close();
    }
  });
});

describe('following', () => {
  it('prints the stored lines, then new ones after the last seen, until stopped; a gateway away is waited for', async () => {
    const stop = new AbortController();
    const printed: string[] = [];
    const warnings: string[] = [];
    const asked: Array<string | undefined> = [];
    const answers: Array<() => SessionLogPage> = [
      () => page([line(0), line(1)]),
      () => page([]),
      () => {
        throw new ApiError(0, { code: 'GATEWAY.UNREACHABLE', detail: 'cannot reach the gateway' });
      },
      () => {
        throw new ApiError(503, { code: 'SERVICE.UNAVAILABLE', detail: 'down' });
      },
      () => page([line(2)]),
    ];
    await printLogs({
      page: async (since) => {
        asked.push(since);
        const next = answers.shift();
        if (!next) {
          stop.abort();
          return page([]);
        }
        return next();
      },
      print: (l) => printed.push(l.message),
      warn: (m) => warnings.push(m),
      follow: true,
      pollMs: 1,
      signal: stop.signal,
    });
    expect(printed).toEqual(['line 0', 'line 1', 'line 2']);
    expect(asked).toEqual([undefined, '7:1', '7:1', '7:1', '7:1', '7:2']);
    expect(warnings).toEqual(['cannot reach the gateway; still following, will retry']);
  });

  it('ends on an error that waiting will not fix, and stops at the end without --follow', async () => {
    const stop = new AbortController();
    const refused = printLogs({ page: async () => Promise.reject(new ApiError(403, { code: 'SESSION_LOGS.NOT_YOURS' })), print: () => undefined, warn: () => undefined, follow: true, pollMs: 1, signal: stop.signal });
    await expect(refused).rejects.toMatchObject({ status: 403 });
    let calls = 0;
    await printLogs({ page: async () => (calls++, page([line(0)])), print: () => undefined, warn: () => undefined, follow: false, pollMs: 1, signal: stop.signal });
    expect(calls).toBe(1);
  });
});

describe('log lines on a terminal', () => {
  it('colours the level only when colour is on', () => {
    expect(formatLine(line(0, { level: 'error' }), ANSI)).toContain('\u001b[31mERROR   \u001b[39m');
    expect(formatLine(line(0, { level: 'warn' }), ANSI)).toContain('\u001b[33mWARN    \u001b[39m');
    expect(formatLine(line(0, { level: 'error' }), PLAIN)).not.toContain('\u001b');
  });

  it('shows control characters of a hostile message instead of obeying them, and indents continuation lines', () => {
    expect(safeText('evil\u001b[2J\u001b]0;pwned\u0007 done')).toBe('evil\\x1b[2J\\x1b]0;pwned\\x07 done');
    expect(safeText('Error: boom\r\n    at f (a.ts:1)')).toBe('Error: boom\n        at f (a.ts:1)');
    expect(formatLine(line(0, { message: 'a\u009bb' }), ANSI)).toContain('a\\x9bb');
  });

  it('reads --since as a duration ago, else passes it on', () => {
    const now = new Date('2026-01-01T12:00:00.000Z');
    expect(sinceValue('10m', now)).toBe('2026-01-01T11:50:00.000Z');
    expect(sinceValue('2h', now)).toBe('2026-01-01T10:00:00.000Z');
    expect(sinceValue('1d', now)).toBe('2025-12-31T12:00:00.000Z');
    expect(sinceValue('1042:17', now)).toBe('1042:17');
    expect(sinceValue('2026-01-01T00:00:00Z', now)).toBe('2026-01-01T00:00:00Z');
  });
});
