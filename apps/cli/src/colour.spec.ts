import { runCli } from './cli';
import { colourWanted } from './output';
import { fakeGateway, type Answer } from './testing/fake-gateway';

const ESC = '\u001b[';
const task = { code: 'TSK-1', sprintCode: 'SPR-1', title: 'Colour me', description: '', type: 'feature', priority: 'MEDIUM', estimateMinutes: null, requiredCapabilities: [], dependsOn: [], status: 'READY', assignee: null, version: 1, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', metadata: {} };

describe('colour', () => {
  let answer: Answer;
  let gateway: Awaited<ReturnType<typeof fakeGateway>>;
  beforeAll(async () => {
    gateway = await fakeGateway(() => answer);
  });
  afterAll(() => gateway.close());

  /** Runs orch with stdout and stderr that say whether they are terminals, as process.stdout does. */
  async function orch(tty: boolean, env: NodeJS.ProcessEnv, ...args: string[]) {
    let stdout = '';
    let stderr = '';
    const io = { stdout: { isTTY: tty, write: (s: string) => (stdout += s) }, stderr: { isTTY: tty, write: (s: string) => (stderr += s) } };
    const code = await runCli(args, { io, env: { ORCH_URL: gateway.url, ORCH_API_KEY: 'k', ORCH_HOME: '/nonexistent-orch-home', ...env } });
    return { code, stdout, stderr };
  }

  describe('on a terminal', () => {
    it('colours table headers and the error line', async () => {
      answer = { status: 200, body: { items: [task], nextCursor: null } };
      const list = await orch(true, {}, 'task', 'list');
      expect(list.stdout.split('\n')[0]).toBe(`${ESC}1mCODE   STATUS  PRIORITY  ASSIGNEE  SPRINT  TITLE${ESC}22m`);
      answer = { status: 404, body: { code: 'TASK.NOT_FOUND', detail: 'no TSK-2' } };
      const missing = await orch(true, {}, 'task', 'get', 'TSK-2');
      expect(missing.stderr).toMatch(/^\u001b\[31m\u001b\[1merror TASK.NOT_FOUND\u001b\[22m\u001b\[39m: no TSK-2\n\u001b\[33mhint:\u001b\[39m /);
    });

    it.each([
      ['NO_COLOR is set', { NO_COLOR: '1' }, []],
      ['--no-color is given', {}, ['--no-color']],
      ['--json is given', {}, ['--json']],
    ])('never colours when %s', async (_why, env, extra) => {
      answer = { status: 200, body: { items: [task], nextCursor: null } };
      const list = await orch(true, env, 'task', 'list', ...extra);
      expect(list.code).toBe(0);
      expect(list.stdout).toContain('TSK-1');
      expect(list.stdout).not.toContain(ESC);
      answer = { status: 404, body: { code: 'TASK.NOT_FOUND', detail: 'no TSK-2' } };
      const missing = await orch(true, env, 'task', 'get', 'TSK-2', ...extra);
      expect(missing.stderr).toContain('error TASK.NOT_FOUND: no TSK-2');
      expect(missing.stderr + missing.stdout).not.toContain(ESC);
    });
  });

  it('never colours output that is not a terminal (a pipe, a file, an agent)', async () => {
    answer = { status: 200, body: { items: [task], nextCursor: null } };
    const list = await orch(false, {}, 'task', 'list');
    expect(list.stdout).toContain('TSK-1');
    expect(list.stdout).not.toContain(ESC);
    answer = { status: 404, body: { code: 'TASK.NOT_FOUND', detail: 'no TSK-2' } };
    expect((await orch(false, {}, 'task', 'get', 'TSK-2')).stderr).not.toContain(ESC);
  });

  it.each([
    { tty: true, env: {}, flags: {}, want: true },
    { tty: false, env: {}, flags: {}, want: false },
    { tty: undefined, env: {}, flags: {}, want: false },
    { tty: true, env: { NO_COLOR: '1' }, flags: {}, want: false },
    { tty: true, env: { NO_COLOR: '' }, flags: {}, want: true },
    { tty: true, env: {}, flags: { noColor: true }, want: false },
    { tty: true, env: {}, flags: { json: true }, want: false },
    { tty: false, env: { FORCE_COLOR: '1' }, flags: {}, want: true },
    { tty: false, env: { FORCE_COLOR: '1', NO_COLOR: '1' }, flags: {}, want: false },
    { tty: false, env: { FORCE_COLOR: '1' }, flags: { json: true }, want: false },
  ])('tty $tty, env $env, flags $flags → colour $want', ({ tty, env, flags, want }) => {
    expect(colourWanted({ isTTY: tty, write: () => true }, env, flags)).toBe(want);
  });
});
