import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli';
import { fakeGateway, type Recorded } from '../testing/fake-gateway';
import { phaseSeenBy, readContext, updateContext } from '../context-store';



const KEY = 'sess_TSK-1_20260101_000000';
const reply = (over: object = {}) => ({
  session: { sessionKey: KEY, taskCode: 'TSK-1', sprintCode: 'SPR-1', phases: ['INTAKE', 'CLOSE'], currentPhase: 'INTAKE', status: 'ACTIVE', commits: [], ...over },
  instructions: { nextActions: ['INTAKE: understand it'], suggestedCommands: ['orch artifact TASK.md ./TASK.md'], missing: [], phaseHooks: { onStart: [], onEnd: [] }, contextReminder: { timeElapsed: '1m' } },
  outcome: 'started',
  warnings: [],
  version: 2,
});

async function run(args: string[], env: NodeJS.ProcessEnv) {
  let out = '';
  let err = '';
  const code = await runCli(args, { io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } }, env });
  return { code, out, err };
}

describe('orch session commands', () => {
  let home: string;
  const env = (url: string) => ({ ORCH_URL: url, ORCH_HOME: home, ORCH_API_KEY: 'k' });
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'orch-home-'));
  });

  it('session-start takes the task from the context, remembers the session, and prints the instructions', async () => {
    const gw = await fakeGateway(() => ({ status: 201, body: reply() }));
    try {
      updateContext({ taskCode: 'TSK-1' }, { ORCH_HOME: home });
      const r = await run(['session-start'], env(gw.url));
      expect(r.code).toBe(0);
      expect(gw.requests[0]).toMatchObject({ method: 'POST', url: '/api/v1/sessions', body: { taskCode: 'TSK-1' } });
      expect(r.out).toContain('phase    INTAKE (1/2)');
      expect(r.out).toContain('try:\n  orch artifact TASK.md ./TASK.md');
      expect(readContext({ ORCH_HOME: home })).toEqual({ taskCode: 'TSK-1', sprintCode: 'SPR-1', sessionKey: KEY, phase: 'INTAKE' });
    } finally {
      await gw.close();
    }
  });

  it('exits 2 without a task or a session to act on, asking nothing of the gateway', async () => {
    const gw = await fakeGateway(() => ({ status: 500, body: {} }));
    try {
      expect((await run(['session-start'], env(gw.url))).code).toBe(2);
      expect((await run(['note', 'x'], env(gw.url))).code).toBe(2);
      expect((await run(['phase-complete', '--override'], env(gw.url))).code).toBe(2);
      expect((await run(['update', 'x', '--percent', '140'], env(gw.url))).code).toBe(2);
      expect(gw.requests).toEqual([]);
    } finally {
      await gw.close();
    }
  });

  it('exits 3 on a gate and lists what is missing; 4 on a conflict', async () => {
    const gw = await fakeGateway((req) =>
      req.method === 'GET'
        ? { status: 200, body: reply() }
        : req.url.endsWith('/phase-complete')
          ? { status: 422, body: { code: 'SESSION.PHASE_REQUIREMENTS_MISSING', detail: 'INTAKE cannot complete', missing: [{ kind: 'artifact', name: 'TASK.md', hint: 'register it: orch artifact TASK.md ./TASK.md' }] } }
          : { status: 409, body: { code: 'SESSION.HELD', detail: 'held by another agent' } },
    );
    try {
      updateContext({ sessionKey: KEY }, { ORCH_HOME: home });
      const gate = await run(['phase-complete'], env(gw.url));
      expect(gate.code).toBe(3);
      expect(gate.err).toBe(
        'error SESSION.PHASE_REQUIREMENTS_MISSING: INTAKE cannot complete\n  missing artifact TASK.md: register it: orch artifact TASK.md ./TASK.md\n' +
          'hint: provide each missing item above, then run the command again (--override/--force with --reason only where your role allows)\n',
      );
      expect(gw.requests.find((r) => r.method === 'POST')!.body).toEqual({ phase: 'INTAKE' });
      expect((await run(['session-resume', '--agent', 'other'], env(gw.url))).code).toBe(4);
    } finally {
      await gw.close();
    }
  });

  it('completes the phase it last saw, not the one current when it asks, and forgets it with the session', async () => {
    // Another process moved the session on to RESEARCH; this one last saw INTAKE.
    const gw = await fakeGateway((req) => (req.method === 'GET' ? { status: 200, body: reply({ currentPhase: 'CLOSE' }) } : { status: 409, body: { code: 'SESSION.PHASE_MOVED', detail: 'moved on' } }));
    try {
      updateContext({ sessionKey: KEY, phase: 'INTAKE' }, { ORCH_HOME: home });
      expect((await run(['phase-complete'], env(gw.url))).code).toBe(4);
      expect(gw.requests.find((r) => r.method === 'POST')!.body).toEqual({ phase: 'INTAKE' });
      const startedBefore = Date.now() - 1;
      expect((await run(['status', '--json'], env(gw.url))).code).toBe(0);
      expect(readContext({ ORCH_HOME: home })).toMatchObject({ phase: 'CLOSE', priorPhase: 'INTAKE' });
      // A command started before the change (a concurrent process) still means INTAKE; one started after, CLOSE.
      expect(phaseSeenBy(readContext({ ORCH_HOME: home }), startedBefore)).toBe('INTAKE');
      expect(phaseSeenBy(readContext({ ORCH_HOME: home }), Date.now() + 1)).toBe('CLOSE');
      updateContext({ sessionKey: null }, { ORCH_HOME: home });
      expect(readContext({ ORCH_HOME: home })).toEqual({});
    } finally {
      await gw.close();
    }
  });

  it('sends --field pairs and the artifact file content', async () => {
    const gw = await fakeGateway((req) => ({ status: req.method === 'GET' ? 200 : 201, body: reply() }));
    try {
      updateContext({ sessionKey: KEY }, { ORCH_HOME: home });
      await run(['phase-complete', '--field', 'test_results=12 passed', '--field', 'owner=me', '--json'], env(gw.url));
      expect(gw.requests.at(-1)!.body).toMatchObject({ fields: { test_results: '12 passed', owner: 'me' } });
      const file = join(home, 'PLAN.md');
      require('node:fs').writeFileSync(file, '# plan\n');
      await run(['artifact', 'PLAN.md', file], env(gw.url));
      expect(gw.requests.at(-1)).toMatchObject({ url: `/api/v1/sessions/${KEY}/artifacts`, body: { name: 'PLAN.md', content: '# plan\n' } });
      expect((await run(['artifact', 'NOPE.md', join(home, 'missing.md')], env(gw.url))).code).toBe(2);
      expect(readFileSync(join(home, 'context.json'), 'utf8')).toContain(KEY);
    } finally {
      await gw.close();
    }
  });
});
