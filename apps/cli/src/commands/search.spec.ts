import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SearchResult } from '@orch/contracts';
import { runCli } from '../cli';
import { render, timeAgo } from './search';

/** A real local HTTP server standing in for the gateway; records each request's URL. */
async function fakeGateway(answer: (url: URL) => { status: number; body: unknown }) {
  const urls: URL[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    urls.push(url);
    const { status, body } = answer(url);
    res.writeHead(status, { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, urls, close: () => new Promise((r) => server.close(r)) };
}

const now = new Date();
const result = (over: Partial<SearchResult> = {}): SearchResult => ({
  q: 'migration',
  scope: 'TASK',
  id: 'TSK-7',
  parsed: "'migrat'",
  plan: 'scope-first',
  version: 3,
  cached: false,
  items: [
    {
      seq: 9,
      id: 'e9',
      type: 'orchestration.session.note_added',
      aggregateType: 'session',
      aggregateId: 'sess_TSK-7_1',
      sessionKey: 'sess_TSK-7_1',
      taskCode: 'TSK-7',
      sprintCode: 'SPR-1',
      occurredAt: new Date(now.getTime() - 2 * 3_600_000).toISOString(),
      actor: { kind: 'agent', id: 'a1' },
      score: 0.4,
      snippet: '«Migration» of the users\n table',
      data: {},
    },
  ],
  ...over,
});

describe('orch context-search', () => {
  let gateway: Awaited<ReturnType<typeof fakeGateway>>;
  let home: string;
  beforeAll(async () => {
    gateway = await fakeGateway((url) =>
      url.searchParams.get('q') === 'bad'
        ? { status: 400, body: { code: 'REQUEST.INVALID', title: 'Bad Request', detail: 'Invalid request: query.q: must not be empty', errors: [{ path: 'query.q', message: 'must not be empty' }] } }
        : { status: 200, body: result({ summary: url.searchParams.get('summary') ? { total: 4, firstAt: now.toISOString(), lastAt: now.toISOString(), byType: [{ type: 'orchestration.session.note_added', count: 4, firstAt: now.toISOString(), lastAt: now.toISOString() }] } : undefined }) },
    );
  });
  afterAll(() => gateway.close());
  beforeEach(() => {
    gateway.urls.length = 0;
    home = mkdtempSync(join(tmpdir(), 'orch-search-'));
  });

  const orch = async (...args: string[]) => {
    let stdout = '';
    let stderr = '';
    const io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } };
    const code = await runCli(args, { io, env: { ORCH_URL: gateway.url, ORCH_API_KEY: 'dev-agent-key', ORCH_HOME: home, NO_COLOR: '1' } });
    return { code, stdout, stderr };
  };
  const params = () => Object.fromEntries(gateway.urls[0]!.searchParams);

  it('asks the gateway with every option, and prints hits with time ago and marked matches', async () => {
    const r = await orch('context-search', 'migration', '--scope', 'Task', '--id', 'TSK-7', '--limit', '5', '--summary', '--no-cache');
    expect(r.code).toBe(0);
    expect(gateway.urls[0]!.pathname).toBe('/api/v1/search');
    expect(params()).toEqual({ q: 'migration', scope: 'TASK', id: 'TSK-7', limit: '5', summary: 'true', noCache: 'true' });
    expect(r.stdout).toContain('1 result for "migration" in task TSK-7');
    expect(r.stdout).toContain('2 h ago    orchestration.session.note_added  TSK-7  sess_TSK-7_1');
    expect(r.stdout).toContain('  «Migration» of the users table');
    expect(r.stdout).toMatch(/summary: 4 events/);
    expect(r.stdout).toMatch(/orchestration\.session\.note_added\s+4/);
  });

  it('searches the project by default, and uses the cache unless told not to', async () => {
    await orch('context-search', 'migration');
    expect(params()).toEqual({ q: 'migration', scope: 'PROJECT' });
  });

  it('takes the id from the current context when none is given', async () => {
    writeFileSync(join(home, 'context.json'), JSON.stringify({ taskCode: 'TSK-CTX', sessionKey: 'sess_TSK-CTX_1', sprintCode: 'SPR-CTX' }));
    await orch('context-search', 'x', '--scope', 'session');
    expect(params()).toMatchObject({ scope: 'SESSION', id: 'sess_TSK-CTX_1' });
    gateway.urls.length = 0;
    await orch('context-search', 'x', '--scope', 'sprint');
    expect(params()).toMatchObject({ scope: 'SPRINT', id: 'SPR-CTX' });
  });

  it('prints the raw answer with --json', async () => {
    const r = await orch('context-search', 'migration', '--scope', 'task', '--id', 'TSK-7', '--json');
    expect(JSON.parse(r.stdout)).toMatchObject({ q: 'migration', items: [{ id: 'e9' }] });
  });

  it('refuses a missing id, an unknown scope and an empty query as usage errors (exit 2), asking nothing', async () => {
    const noId = await orch('context-search', 'x', '--scope', 'task');
    expect(noId).toMatchObject({ code: 2, stderr: expect.stringContaining('--id is required for --scope task') });
    expect((await orch('context-search', 'x', '--scope', 'galaxy')).code).toBe(2);
    expect((await orch('context-search', '  ')).code).toBe(2);
    expect((await orch('context-search', 'x', '--limit', '0')).code).toBe(2);
    expect(gateway.urls).toHaveLength(0);
  });

  it('prints the gateway’s problem and exits 1', async () => {
    const r = await orch('context-search', 'bad');
    expect(r).toMatchObject({ code: 1, stderr: expect.stringContaining('query.q: must not be empty') });
  });

  it('says when a query held only stop-words, and colours matches for a terminal', () => {
    expect(render(result({ items: [], plan: 'empty', parsed: '' }), false, now)).toContain('only stop-words');
    expect(render(result(), true, now)).toContain('\u001b[1;33mMigration\u001b[0m');
    expect(timeAgo(new Date(now.getTime() - 90_000).toISOString(), now)).toBe('1 min ago');
    expect(timeAgo(new Date(now.getTime() - 3 * 86_400_000).toISOString(), now)).toBe('3 d ago');
  });

  it('says when a large scope ranked only its newest matches', () => {
    expect(render(result({ plan: 'newest-window', route: 'walk', ranked: 500, window: 500 }), false, now)).toContain('(a large scope: ranked its newest 500 matches; narrow the scope to reach older ones)');
    expect(render(result({ plan: 'scope-first', route: 'scope', ranked: 12 }), false, now)).not.toContain('large scope');
  });
});
