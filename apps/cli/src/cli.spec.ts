import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli';

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}
interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A real local HTTP server standing in for the gateway: it records requests and answers from a script. */
async function fakeGateway(route: (req: Recorded) => Reply) {
  const requests: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const recorded = { method: req.method!, url: req.url!, headers: req.headers, body: raw ? JSON.parse(raw) : undefined };
      requests.push(recorded);
      const reply = route(recorded);
      const status = reply.status ?? 200;
      const type = status >= 400 ? 'application/problem+json' : 'application/json';
      res.writeHead(status, { 'content-type': type, ...reply.headers });
      res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, requests, close: () => new Promise((r) => server.close(r)) };
}

/** A home of its own per test run, so no developer's ~/.orch/config.json leaks in. */
const HOME = mkdtempSync(join(tmpdir(), 'orch-cli-spec-'));

async function orchWith(env: NodeJS.ProcessEnv, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } };
  const code = await runCli(args, { io, env: { ORCH_HOME: join(HOME, 'none'), ...env } });
  return { code, stdout, stderr };
}

const orch = (url: string, ...args: string[]) => orchWith({ ORCH_URL: url, ORCH_API_KEY: 'dev-admin-key' }, ...args);

const task = (code: string, title: string, extra: object = {}) => ({
  code,
  sprintCode: 'SPR-001',
  title,
  description: '',
  type: 'feature',
  priority: 'MEDIUM',
  estimateMinutes: null,
  requiredCapabilities: [],
  dependsOn: [],
  status: 'BACKLOG',
  assignee: null,
  version: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  metadata: {},
  ...extra,
});

describe('orch', () => {
  let gateway: Awaited<ReturnType<typeof fakeGateway>>;
  let reply: (req: Recorded) => Reply;
  beforeAll(async () => {
    gateway = await fakeGateway((req) => reply(req));
  });
  afterAll(() => gateway.close());
  beforeEach(() => {
    gateway.requests.length = 0;
  });

  it('creates a task with its options as the REST body, authenticated by the API key', async () => {
    reply = () => ({ status: 201, body: task('TSK-001', 'Write the README', { estimateMinutes: 30 }), headers: { 'x-orch-seq': '7' } });
    const r = await orch(gateway.url, 'task', 'create', 'Write the README', '--sprint', 'SPR-001', '--priority', 'high', '--estimate', '30', '--depends-on', 'TSK-A, TSK-B');
    expect(r.code).toBe(0);
    expect(gateway.requests[0]).toMatchObject({
      method: 'POST',
      url: '/api/v1/tasks',
      headers: { authorization: 'Bearer dev-admin-key' },
      body: { title: 'Write the README', sprintCode: 'SPR-001', priority: 'HIGH', estimateMinutes: 30, dependsOn: ['TSK-A', 'TSK-B'] },
    });
    expect(r.stdout).toMatch(/^code\s+TSK-001$/m);
    expect(r.stdout).toMatch(/^estimate\s+30 min$/m);
  });

  it('lists tasks as an aligned table, passing the filters as the query', async () => {
    reply = () => ({ body: { items: [task('TSK-001', 'Short'), task('TSK-0002', 'Longer one', { status: 'IN_PROGRESS', assignee: 'coder-1' })], nextCursor: null } });
    const r = await orch(gateway.url, 'task', 'list', '--sprint', 'SPR-001', '--status', 'in_progress');
    expect(r.code).toBe(0);
    expect(gateway.requests[0]!.url).toBe('/api/v1/tasks?sprint=SPR-001&status=IN_PROGRESS');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toEqual([
      'CODE      STATUS       PRIORITY  ASSIGNEE  SPRINT   TITLE',
      'TSK-001   BACKLOG      MEDIUM    -         SPR-001  Short',
      'TSK-0002  IN_PROGRESS  MEDIUM    coder-1   SPR-001  Longer one',
    ]);
  });

  it('prints --json answers as JSON', async () => {
    reply = () => ({ body: { items: [], nextCursor: null } });
    const r = await orch(gateway.url, 'sprint', 'list', '--json');
    expect(JSON.parse(r.stdout)).toEqual({ items: [], nextCursor: null });
  });

  it('prints a problem document as `error CODE: detail` with each field, and exits 1', async () => {
    reply = () => ({
      status: 400,
      body: { type: 'about:blank', title: 'Invalid input', status: 400, code: 'VALIDATION.BODY', detail: 'body: title: must not be empty', errors: [{ path: 'title', message: 'must not be empty' }] },
    });
    const r = await orch(gateway.url, 'sprint', 'create', 'SPR-001', ' ');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error VALIDATION.BODY: body: title: must not be empty\n  title: must not be empty\nhint: fix what the lines above name and run the command again (`--help` on the command shows its options)\n');
  });

  it('sends the sequence of its own write as X-Orch-Min-Seq on the next read', async () => {
    const { GatewayClient } = await import('./client');
    reply = (req) => (req.method === 'PATCH' ? { body: task('TSK-001', 'x'), headers: { 'x-orch-seq': '42' } } : { body: task('TSK-001', 'x') });
    const { api } = new GatewayClient({ baseUrl: gateway.url });
    const at = { params: { path: { code: 'TSK-001' } } };
    await api.GET('/api/v1/tasks/{code}', at);
    await api.PATCH('/api/v1/tasks/{code}', { ...at, body: { status: 'READY' } });
    await api.GET('/api/v1/tasks/{code}', at);
    expect(gateway.requests.map((r) => r.headers['x-orch-min-seq'])).toEqual([undefined, undefined, '42']);
  });

  it('reports readiness per check and exits 1 when the system is not ready', async () => {
    reply = () => ({ status: 503, body: { status: 'down', checks: { nats: 'up', postgres: 'up', planner: 'down' } } });
    const r = await orch(gateway.url, 'health');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^not ready \(HTTP 503\)$/m);
    expect(r.stdout).toMatch(/^planner\s+down$/m);
    expect(gateway.requests[0]!.url).toBe('/ready');
  });

  describe('usage errors exit 2 without calling the gateway', () => {
    it.each([
      [['task', 'create']],
      [['task', 'create', 'x', '--estimate', 'soon']],
      [['task', 'list', '--status', 'SLEEPING']],
      [['task', 'update', 'TSK-001']],
      [['sprint', 'list', '--bogus']],
      [['nonsense']],
    ])('orch %j', async (args) => {
      const r = await orch(gateway.url, ...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/error/);
      expect(gateway.requests).toHaveLength(0);
    });
  });

  it('names the address when the gateway cannot be reached, and exits 1', async () => {
    const closed = await fakeGateway(() => ({}));
    await closed.close();
    const r = await orch(closed.url, 'sprint', 'list');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error GATEWAY.UNREACHABLE: cannot reach the gateway at ${closed.url} (ECONNREFUSED)`);
  });
  describe('~/.orch/config.json', () => {
    const home = (name: string, content: string) => {
      const dir = join(HOME, name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'config.json'), content);
      return dir;
    };

    it('supplies the URL and the key when neither flags nor env do', async () => {
      reply = () => ({ body: { items: [], nextCursor: null } });
      const dir = home('configured', JSON.stringify({ url: gateway.url, apiKey: 'from-config-file' }));
      const r = await orchWith({ ORCH_HOME: dir }, 'task', 'list');
      expect(r.code).toBe(0);
      expect(gateway.requests[0]!.headers.authorization).toBe('Bearer from-config-file');
    });

    it('gives way to the environment', async () => {
      reply = () => ({ body: { items: [], nextCursor: null } });
      const dir = home('overridden', JSON.stringify({ url: 'http://127.0.0.1:1', apiKey: 'from-config-file' }));
      const r = await orchWith({ ORCH_HOME: dir, ORCH_URL: gateway.url, ORCH_API_KEY: 'from-env' }, 'task', 'list');
      expect(r.code).toBe(0);
      expect(gateway.requests[0]!.headers.authorization).toBe('Bearer from-env');
    });

    it.each([
      { what: 'broken JSON', content: '{"url": ', says: /not valid JSON/ },
      { what: 'an unknown field', content: '{"colour": "red"}', says: /unknown field "colour"/ },
      { what: 'a URL without a scheme', content: '{"url": "localhost:3000"}', says: /field "url" must start with http/ },
    ])('is a usage error naming the file for $what', async ({ what, content, says }) => {
      const dir = home(what.replace(/\W+/g, '-'), content);
      const r = await orchWith({ ORCH_HOME: dir }, 'task', 'list');
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(join(dir, 'config.json'));
      expect(r.stderr).toMatch(says);
    });
  });
});
