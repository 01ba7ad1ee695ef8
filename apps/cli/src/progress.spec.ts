import { until as waitFor } from './testing/until';
import { runCli } from './cli';
import { waiting } from './progress';
import { fakeGateway, type Answer, type Recorded } from './testing/fake-gateway';

const assignment = { taskCode: 'TSK-7', sprintCode: 'SPR-1', title: 'Wait for me', type: 'feature', requiredCapabilities: [], assignedAt: '2026-01-01T00:00:00.000Z', resumed: false, status: 'ASSIGNED' };

/** A stream that records what is written and says whether it is a terminal. */
function stream(isTTY: boolean) {
  const s = { isTTY, text: '', write: (t: string) => (s.text += t) };
  return s;
}

describe('waiting… lines', () => {
  it('on a terminal: draws the label with the seconds waited, then clears the line', async () => {
    const err = stream(true);
    let now = 1_000;
    const line = waiting(err, 'waiting for assignments', { intervalMs: 5, now: () => now });
    expect(err.text).toMatch(/^\r\u001b\[K. waiting for assignments… \(0 s\)$/);
    now = 13_500;
    await waitFor('a redraw with 12 s', () => err.text.includes('waiting for assignments… (12 s)'));
    line.print('heartbeat failed: x\n');
    line.stop();
    const after = err.text;
    expect(after.endsWith('\r\u001b[K')).toBe(true);
    expect(after).toContain('\r\u001b[Kheartbeat failed: x\n');
    line.stop();
    expect(err.text).toBe(after);
  });

  it('off a terminal: writes nothing at all, but still passes messages through', () => {
    const err = stream(false);
    const line = waiting(err, 'waiting for assignments', { intervalMs: 1 });
    line.print('heartbeat failed: x\n');
    line.stop();
    expect(err.text).toBe('heartbeat failed: x\n');
  });
});

describe('commands that wait show it on stderr only when stderr is a terminal', () => {
  let release: (() => void) | undefined;
  let gateway: Awaited<ReturnType<typeof fakeGateway>>;
  beforeAll(async () => {
    gateway = await fakeGateway((req: Recorded) => {
      if (req.url.includes('/heartbeat')) return { status: 200, body: { id: 'coder-1', status: 'IDLE', load: 0, at: '2026-01-01T00:00:00.000Z' } };
      // The long poll is held open until the test releases it.
      return new Promise<Answer>((resolve) => (release = () => resolve({ status: 200, body: { items: [assignment] } })));
    });
  });
  afterAll(() => gateway.close());
  beforeEach(() => {
    gateway.requests.length = 0;
    release = undefined;
  });

  function start(tty: boolean, ...args: string[]) {
    const out = stream(false);
    const err = stream(tty);
    const done = runCli(args, { io: { stdout: out, stderr: err }, env: { ORCH_URL: gateway.url, ORCH_API_KEY: 'k', ORCH_HOME: '/nonexistent-orch-home' } });
    return { out, err, done };
  }

  it.each([true, false])('orch agents assignments --wait (stderr a terminal: %s)', async (tty) => {
    const run = start(tty, 'agents', 'assignments', 'coder-1', '--wait', '20');
    await waitFor('the long poll to arrive', () => release);
    expect(gateway.requests[0]!.url).toBe('/api/v1/agents/coder-1/assignments?wait=20');
    // The first frame is drawn before the request is sent, so by now it is there or never will be.
    if (tty) await waitFor('the waiting line', () => run.err.text.includes('waiting for assignments of coder-1… ('));
    else expect(run.err.text).toBe('');
    release!();
    expect(await run.done).toBe(0);
    expect(run.out.text).toMatch(/TSK-7\s+SPR-1\s+ASSIGNED/);
    expect(run.err.text).toEqual(tty ? expect.stringMatching(/\r\u001b\[K$/) : '');
  });

  it.each([true, false])('orch agent run (stderr a terminal: %s)', async (tty) => {
    const run = start(tty, 'agent', 'run', '--id', 'coder-1', '--once', '--wait', '10', '--heartbeat-ms', '60000');
    await waitFor('the long poll to arrive', () => release);
    if (tty) await waitFor('the waiting line', () => run.err.text.includes('waiting for assignments of coder-1… ('));
    else expect(run.err.text).toBe('');
    release!();
    expect(await run.done).toBe(0);
    expect(JSON.parse(run.out.text)).toEqual(assignment);
    if (!tty) expect(run.err.text).toBe('');
    expect(run.out.text).not.toContain('waiting');
  });
});
