import { mkdtempSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli';
import { resolveConnection } from './config-file';
import { hintFor } from './errors';
import { fakeGateway, type Answer } from './testing/fake-gateway';

const HOME = mkdtempSync(join(tmpdir(), 'orch-errors-spec-'));

async function run(args: string[], env: NodeJS.ProcessEnv) {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } };
  const code = await runCli(args, { io, env: { ORCH_HOME: join(HOME, 'none'), ...env } });
  return { code, stdout, stderr };
}

describe('orch errors', () => {
  let answer: Answer;
  let gateway: Awaited<ReturnType<typeof fakeGateway>>;
  beforeAll(async () => {
    gateway = await fakeGateway(() => answer);
  });
  afterAll(() => gateway.close());
  const orch = (...args: string[]) => run(args, { ORCH_URL: gateway.url, ORCH_API_KEY: 'k' });
  const problem = (status: number, code: string, detail: string, extra: object = {}, headers?: Record<string, string>): Answer => ({ status, body: { type: 'about:blank', title: 'x', status, code, detail, ...extra }, headers });

  it.each([
    { status: 401, code: 'AUTH.INVALID_KEY', exit: 1, hint: /ORCH_API_KEY.*`orch config`/ },
    { status: 401, code: 'AUTH.SOMETHING_NEW', exit: 1, hint: /check the API key: --api-key, ORCH_API_KEY/ },
    { status: 403, code: 'AUTH.FORBIDDEN', exit: 1, hint: /role may not do that \(viewer < agent < admin\)/ },
    { status: 404, code: 'TASK.NOT_FOUND', exit: 1, hint: /check the id or code: .*orch task list/ },
    { status: 409, code: 'AGGREGATE.CONFLICT', exit: 4, hint: /the state moved on .* retry/ },
    { status: 412, code: 'VERSION.MISMATCH', exit: 4, hint: /no longer the current one/ },
    { status: 503, code: 'SERVICE.UNAVAILABLE', exit: 1, hint: /`orch health` shows which; retry shortly/ },
    { status: 500, code: 'INTERNAL', exit: 1, hint: /correlation id/ },
  ])('prints $status $code as `error CODE: detail` and a hint, and exits $exit', async ({ status, code, exit, hint }) => {
    answer = problem(status, code, `what went wrong (${status})`);
    const r = await orch('task', 'get', 'TSK-1');
    expect(r.code).toBe(exit);
    const [first, second, ...rest] = r.stderr.trimEnd().split('\n');
    expect(first).toBe(`error ${code}: what went wrong (${status})`);
    expect(second).toMatch(/^hint: /);
    expect(second).toMatch(hint);
    expect(rest).toEqual([]);
    expect(r.stdout).toBe('');
  });

  it('lists the missing items of a gate (422), says to provide them, and exits 3', async () => {
    answer = problem(422, 'SESSION.PHASE_REQUIREMENTS_MISSING', 'PLAN cannot complete', { missing: [{ kind: 'artifact', name: 'PLAN.md', hint: 'orch artifact PLAN.md' }, { kind: 'field', name: 'estimate', hint: '--field estimate=…' }] });
    const r = await orch('task', 'get', 'TSK-1');
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(
      'error SESSION.PHASE_REQUIREMENTS_MISSING: PLAN cannot complete\n  missing artifact PLAN.md: orch artifact PLAN.md\n  missing field estimate: --field estimate=…\n' +
        'hint: provide each missing item above, then run the command again (--override/--force with --reason only where your role allows)\n',
    );
  });

  it('says how long to wait on 429 from Retry-After', async () => {
    answer = problem(429, 'RATE.LIMITED', 'Rate limit of 20/s for role agent', {}, { 'retry-after': '7' });
    const r = await orch('task', 'list');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('hint: this key used up its rate: wait 7 s (Retry-After) and retry\n');
  });

  it('with --json prints the problem document on stdout (and the message on stderr)', async () => {
    answer = problem(404, 'TASK.NOT_FOUND', 'Task TSK-404 does not exist');
    const r = await orch('task', 'get', 'TSK-404', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ type: 'about:blank', title: 'x', status: 404, code: 'TASK.NOT_FOUND', detail: 'Task TSK-404 does not exist' });
    expect(r.stderr).toMatch(/^error TASK.NOT_FOUND: Task TSK-404 does not exist\nhint: /);
  });

  it('with --json prints a usage mistake as a problem document too', async () => {
    const r = await orch('task', 'list', '--status', 'SLEEPING', '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ code: 'CLI.USAGE', detail: expect.stringContaining('must be one of') });
    expect(gateway.requests.filter((q) => q.url.includes('SLEEPING'))).toEqual([]);
  });

  it('turns an answer that is not a problem document into one named by its status', async () => {
    answer = { status: 502, body: 'Bad Gateway from the proxy' };
    const r = await orch('task', 'list');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error HTTP.502: Bad Gateway from the proxy\nhint: a service or dependency is not ready/);
  });

  it('says where to look when the gateway cannot be reached', async () => {
    const closed = await fakeGateway(() => answer);
    await closed.close();
    const r = await run(['task', 'list'], { ORCH_URL: closed.url, ORCH_API_KEY: 'k' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^error GATEWAY.UNREACHABLE: cannot reach the gateway at ${closed.url} \\(ECONNREFUSED\\)`));
    expect(r.stderr).toContain('hint: is the gateway running? `npm start` starts the system; `orch config` shows the URL in use');
  });

  it('gives no hint for a status it knows nothing about', () => {
    expect(hintFor({ code: 'TEAPOT' }, 418)).toBeUndefined();
  });
});

describe('where the gateway and key come from: flags > env > ~/.orch/config.json > default', () => {
  const file = { url: 'http://file.example:3000', apiKey: 'file-key' };
  const env = { ORCH_URL: 'http://env.example:3000', ORCH_API_KEY: 'env-key' };

  it.each([
    { flags: { url: 'http://flag.example:3000', apiKey: 'flag-key' }, env, file, want: { url: 'http://flag.example:3000', urlFrom: 'flag', apiKey: 'flag-key', apiKeyFrom: 'flag' } },
    { flags: {}, env, file, want: { url: 'http://env.example:3000', urlFrom: 'env', apiKey: 'env-key', apiKeyFrom: 'env' } },
    { flags: {}, env: {}, file, want: { url: 'http://file.example:3000', urlFrom: 'file', apiKey: 'file-key', apiKeyFrom: 'file' } },
    { flags: {}, env: { ORCH_URL: '', ORCH_API_KEY: '' }, file, want: { url: 'http://file.example:3000', urlFrom: 'file', apiKey: 'file-key', apiKeyFrom: 'file' } },
    { flags: {}, env: {}, file: {}, want: { url: 'http://127.0.0.1:3000', urlFrom: 'default', apiKey: undefined, apiKeyFrom: 'none' } },
    { flags: { apiKey: 'flag-key' }, env, file, want: { url: 'http://env.example:3000', urlFrom: 'env', apiKey: 'flag-key', apiKeyFrom: 'flag' } },
  ])('$want.urlFrom url, $want.apiKeyFrom key', ({ flags, env, file, want }) => {
    expect(resolveConnection(flags, env, file)).toEqual(want);
  });

  it('sends the flag URL and key over those of the environment and the file', async () => {
    const gw = await fakeGateway(() => ({ status: 200, body: { items: [], nextCursor: null } }));
    const other = await fakeGateway(() => ({ status: 200, body: { items: [], nextCursor: null } }));
    try {
      const home = join(HOME, 'flags');
      mkdirSync(home, { recursive: true });
      writeFileSync(join(home, 'config.json'), JSON.stringify({ url: other.url, apiKey: 'file-key' }));
      const r = await run(['--url', gw.url, '--api-key', 'flag-key', 'sprint', 'list'], { ORCH_HOME: home, ORCH_URL: other.url, ORCH_API_KEY: 'env-key' });
      expect(r.code).toBe(0);
      expect(gw.requests.map((q) => q.headers.authorization)).toEqual(['Bearer flag-key']);
      expect(other.requests).toEqual([]);
    } finally {
      await gw.close();
      await other.close();
    }
  });

  it('`orch config` shows each setting, where it came from, and the key masked', async () => {
    const home = join(HOME, 'show');
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'config.json'), JSON.stringify({ url: 'http://file.example:3000', apiKey: 'file-key-0123456789' }));
    const r = await run(['config', '--json'], { ORCH_HOME: home, ORCH_URL: 'http://env.example:3000' });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ url: 'http://env.example:3000', urlFrom: 'env', apiKey: 'file…(19 chars)', apiKeyFrom: 'file', configFile: join(home, 'config.json') });
    expect(r.stdout).not.toContain('file-key-0123456789');
  });

  it('`orch config set` writes the file for its owner only, and refuses a bad value without writing', async () => {
    const home = join(HOME, 'set');
    expect((await run(['config', 'set', 'url', 'http://127.0.0.1:3999'], { ORCH_HOME: home })).code).toBe(0);
    expect((await run(['config', 'set', 'apiKey', 'dev-agent-key'], { ORCH_HOME: home })).code).toBe(0);
    const path = join(home, 'config.json');
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ url: 'http://127.0.0.1:3999', apiKey: 'dev-agent-key' });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    for (const [key, value, says] of [
      ['url', 'localhost:3000', /"url" must start with http/],
      ['apiKey', 'two words', /must not contain spaces/],
      ['colour', 'red', /unknown setting "colour"/],
    ] as const) {
      const r = await run(['config', 'set', key, value], { ORCH_HOME: home });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(says);
    }
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ url: 'http://127.0.0.1:3999', apiKey: 'dev-agent-key' });
  });
});
