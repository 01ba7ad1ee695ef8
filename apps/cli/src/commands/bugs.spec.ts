import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli';
import { updateContext } from '../context-store';
import { fakeGateway, type Recorded } from '../testing/fake-gateway';



const bug = (over: object = {}) => ({
  hash: 'ab'.repeat(32),
  fingerprintVersion: 1,
  errorClass: 'TypeError',
  template: 'x is not a function',
  category: 'type',
  message: 'TypeError: x is not a function',
  file: 'src/a.ts',
  line: 3,
  status: 'OPEN',
  occurrenceCount: 3,
  regressionCount: 0,
  firstSeen: '2026-01-01T00:00:00.000Z',
  lastSeen: '2026-01-02T00:00:00.000Z',
  lastTaskCode: 'TSK-1',
  tasks: ['TSK-1'],
  sessions: [],
  agents: [],
  version: 3,
  ...over,
});

describe('orch bug-log and bugs', () => {
  let gateway: Awaited<ReturnType<typeof fakeGateway>>;
  let outcome = 'recurring';
  beforeAll(async () => {
    gateway = await fakeGateway((req) =>
      req.method === 'POST' ? { status: 201, body: { bug: bug(), outcome, warnings: [], suggestedActions: ['fix', 'continue', 'context'] } } : { status: 200, body: { items: [bug()] } },
      { 'x-orch-seq': '5' },
    );
  });
  afterAll(() => gateway.close());
  beforeEach(() => {
    gateway.requests.length = 0;
  });

  let home = mkdtempSync(join(tmpdir(), 'orch-bug-home-'));
  const orch = async (...args: string[]) => {
    let stdout = '';
    let stderr = '';
    const io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } };
    const code = await runCli(args, { io, env: { ORCH_URL: gateway.url, ORCH_API_KEY: 'dev-agent-key', ORCH_HOME: home } });
    return { code, stdout, stderr };
  };

  it('posts the report with the stack read from a file and says the bug is recurring, and how often', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orch-bug-'));
    writeFileSync(join(dir, 'stack.txt'), 'TypeError: x\n    at f (/p/src/a.ts:3:1)');
    const r = await orch('bug-log', 'TypeError: x is not a function', '--file', 'src/a.ts', '--line', '3', '--task', 'TSK-1', '--stack', join(dir, 'stack.txt'), '--action', 'fix');
    expect(r.code).toBe(0);
    expect(gateway.requests[0]).toMatchObject({ method: 'POST', url: '/api/v1/bugs', body: { message: 'TypeError: x is not a function', file: 'src/a.ts', line: 3, taskCode: 'TSK-1', stack: 'TypeError: x\n    at f (/p/src/a.ts:3:1)' } });
    expect(r.stdout).toContain('recurring bug (seen 3 times)');
    expect(r.stdout).toContain('next: fix it now');
  });

  it('files the report under the current task and session when it names none, and under the named task alone when it names another', async () => {
    home = mkdtempSync(join(tmpdir(), 'orch-bug-home-'));
    updateContext({ taskCode: 'TSK-7', sessionKey: 'sess_TSK-7_20260101_000000' }, { ORCH_HOME: home });
    await orch('bug-log', 'boom', '--action', 'continue');
    expect(gateway.requests[0]?.body).toMatchObject({ taskCode: 'TSK-7', sessionKey: 'sess_TSK-7_20260101_000000' });
    await orch('bug-log', 'boom', '--task', 'TSK-8', '--action', 'continue');
    expect(gateway.requests[1]?.body).toMatchObject({ taskCode: 'TSK-8' });
    expect(gateway.requests[1]?.body).not.toHaveProperty('sessionKey');
  });

  it('names a regression', async () => {
    outcome = 'regression';
    const r = await orch('bug-log', 'boom', '--action', 'continue');
    outcome = 'recurring';
    expect(r.stdout).toMatch(/^REGRESSION/);
  });

  it('prints the raw answer with --json and asks nothing', async () => {
    const r = await orch('bug-log', 'boom', '--json');
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'recurring', bug: { occurrenceCount: 3 } });
  });

  it('refuses an empty message and an unknown action as usage errors', async () => {
    expect((await orch('bug-log', '  ')).code).toBe(2);
    expect((await orch('bug-log', 'x', '--action', 'panic')).code).toBe(2);
    expect(gateway.requests).toHaveLength(0);
  });

  it('lists bugs by task and status', async () => {
    const r = await orch('bugs', '--task', 'TSK-1', '--status', 'open');
    expect(gateway.requests[0]!.url).toBe('/api/v1/bugs?task=TSK-1&status=OPEN');
    expect(r.stdout).toContain('TypeError: x is not a function');
  });
});
