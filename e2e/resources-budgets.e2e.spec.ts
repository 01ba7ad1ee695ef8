import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore } from '@orch/event-store';
import { SystemUnderTest, waitFor } from '@orch/testing';

const json = (res: Response): Promise<any> => res.json();
const ADMIN = 'dev-admin-key';
const AGENT = 'dev-agent-key';

/**
 * Budgets through the real system (gateway, planner, session service and agent manager as
 * processes from dist/): limits on a session and a workflow, usage reported by agents with
 * idempotency, 80 % and 100 % announced once each even when many reports race, bad input refused
 * with nothing written. Then the agent manager is SIGKILLed: the pool (allocations, quotas, hosts
 * added by API) is rebuilt from the log by the next instance.
 */
describe('budgets, and the pool across a restart', () => {
  let system: SystemUnderTest;
  let store: EventStore;
  let subjects: SystemUnderTest['subjects'];
  let dir: string;
  let sessionKey: string;
  let workflowId: string;
  const orphans: number[] = [];
  const lastSeq = () => system.lastSeq();
  const call = (path: string, init: { method?: string; json?: unknown; body?: string; key?: string; headers?: Record<string, string> } = {}) => system.fetch(`/api/v1${path}`, { key: ADMIN, ...init });
  const budgetEvents = async (id: string) => (await store.readSubject(subjects.aggregate('budget', id))).flatMap((c) => c.events);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'orch-budgets-'));
    const idle = '[node, -e, "setInterval(() => {}, 1000)"]';
    writeFileSync(join(dir, 'agents.yaml'), readFileSync(join(__dirname, '..', 'config', 'agents.yaml'), 'utf8').replaceAll('command: [node, examples/agents/example-agent.mjs]', `command: ${idle}`));
    writeFileSync(join(dir, 'resources.yaml'), 'hosts:\n  only: { cpu: 2, memoryMb: 4096 }\n');
    system = await SystemUnderTest.start({
      services: ['planner', 'session-service', 'agent-manager'],
      env: { AGENTS_CONFIG: join(dir, 'agents.yaml'), RESOURCES_CONFIG: join(dir, 'resources.yaml'), RATE_LIMITS: 'off' },
    });
    subjects = system.subjects;
    store = await system.store();

    expect((await call('/tasks', { json: { code: 'TSK-BUDGET', title: 'Spend wisely' } })).status).toBe(201);
    sessionKey = (await json(await call('/sessions', { json: { taskCode: 'TSK-BUDGET' }, key: AGENT }))).session.sessionKey;
    expect((await call('/sprints', { json: { code: 'SPR-BUDGET', title: 'Budgeted' } })).status).toBe(201);
    const task = await call('/tasks', { json: { code: 'TSK-WF1', sprintCode: 'SPR-BUDGET', title: 'In a workflow' } });
    const workflow = await call('/workflows', { json: { sprintCode: 'SPR-BUDGET' }, headers: { 'x-orch-min-seq': task.headers.get('x-orch-seq')! } });
    expect(workflow.status).toBe(201);
    workflowId = (await json(workflow)).id;
  }, 90_000);

  afterAll(async () => {
    for (const pid of orphans) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    await system?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sets limits, counts usage and shows the percentage per dimension', async () => {
    const set = await call(`/budgets/session/${sessionKey}`, { method: 'PUT', json: { tokens: 1000, costUsd: 2 } });
    expect(set.status).toBe(200);
    expect(await json(set)).toMatchObject({ scope: 'session', id: sessionKey, exceeded: [], dimensions: { tokens: { limit: 1000, used: 0, percent: 0 }, wallSeconds: { limit: null, percent: null } } });
    const first = await json(await call(`/budgets/session/${sessionKey}/usage`, { json: { tokens: 500, costUsd: 0.25, wallSeconds: 30 }, key: AGENT }));
    expect(first).toMatchObject({ crossed: [], dimensions: { tokens: { used: 500, percent: 50 }, costUsd: { used: 0.25, percent: 12.5 }, wallSeconds: { used: 30, limit: null } } });
    const second = await json(await call(`/budgets/session/${sessionKey}/usage`, { json: { tokens: 300 }, key: AGENT }));
    expect(second.crossed).toEqual([{ dimension: 'tokens', percent: 80 }]);
    const read = await json(await call(`/budgets/session/${sessionKey}`, { key: 'dev-viewer-key' }));
    expect(read.dimensions.tokens).toEqual({ limit: 1000, used: 800, percent: 80, thresholdsCrossed: [80] });
    const events = await budgetEvents(sessionKey);
    expect(events.filter((e) => e.type === 'orchestration.budget.threshold_crossed').map((e) => e.data)).toEqual([
      { scope: 'session', scopeId: sessionKey, dimension: 'tokens', percent: 80, used: 800, limit: 1000 },
    ]);
  });

  it('counts a retried report once (Idempotency-Key) and answers it the same', async () => {
    const send = () => call(`/budgets/session/${sessionKey}/usage`, { json: { tokens: 250 }, key: AGENT, headers: { 'idempotency-key': 'usage-report-7' } });
    const a = await send();
    const b = await send();
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(b.headers.get('x-orch-seq')).toBe(a.headers.get('x-orch-seq'));
    const [ra, rb] = [await json(a), await json(b)];
    expect(rb.crossed).toEqual(ra.crossed);
    expect(ra.crossed).toEqual([{ dimension: 'tokens', percent: 100 }]);
    expect((await json(await call(`/budgets/session/${sessionKey}`))).dimensions.tokens.used).toBe(1050);
  });

  it('announces 100 % exactly once when many reports cross it at the same moment', async () => {
    expect((await call(`/budgets/workflow/${workflowId}`, { method: 'PUT', json: { costUsd: 1 } })).status).toBe(200);
    const answers = await Promise.all(Array.from({ length: 40 }, () => call(`/budgets/workflow/${workflowId}/usage`, { json: { costUsd: 0.05 }, key: AGENT })));
    expect(answers.every((r) => r.status === 200)).toBe(true);
    const crossed = (await Promise.all(answers.map(json))).flatMap((r) => r.crossed);
    expect(crossed.sort((x: any, y: any) => x.percent - y.percent)).toEqual([{ dimension: 'costUsd', percent: 80 }, { dimension: 'costUsd', percent: 100 }]);
    const thresholds = (await budgetEvents(workflowId)).filter((e) => e.type === 'orchestration.budget.threshold_crossed').map((e) => e.data.percent);
    expect(thresholds).toEqual([80, 100]);
    const view = await json(await call(`/budgets/workflow/${workflowId}`));
    expect(view).toMatchObject({ exceeded: ['costUsd'], dimensions: { costUsd: { used: 2, limit: 1, percent: 200, thresholdsCrossed: [80, 100] } } });
  }, 30_000);

  it('shows, sets and reports budgets with the CLI, and shows the pool', async () => {
    const cli = join(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');
    const orch = (args: string[], key = ADMIN) => {
      const r = spawnSync(process.execPath, [cli, ...args], { env: { ...process.env, ORCH_URL: system.url, ORCH_API_KEY: key, ORCH_HOME: dir }, encoding: 'utf8' });
      return { code: r.status, out: r.stdout, err: r.stderr };
    };
    expect((await call('/tasks', { json: { code: 'TSK-BUDGET-CLI', title: 'Spend from the CLI' } })).status).toBe(201);
    const key = (await json(await call('/sessions', { json: { taskCode: 'TSK-BUDGET-CLI' }, key: AGENT }))).session.sessionKey;

    const set = orch(['budget', 'set', 'session', key, '--tokens', '1000', '--cost-usd', '2', '--json']);
    expect(set.code).toBe(0);
    expect(JSON.parse(set.out)).toMatchObject({ dimensions: { tokens: { limit: 1000, used: 0 }, costUsd: { limit: 2 }, wallSeconds: { limit: null } } });
    const used = orch(['budget', 'usage', 'session', key, '--tokens', '850'], AGENT);
    expect(used.code).toBe(0);
    expect(used.out).toMatch(/tokens\s+850\s+1000\s+85%/);
    expect(used.out).toContain('crossed 80% of tokens');
    expect(orch(['budget', 'show', 'session', key]).out).toMatch(/costUsd\s+0\s+2\s+0%/);
    expect(orch(['budget', 'set', 'session', key, '--cost-usd', 'none', '--json']).out).toContain('"limit": null');

    const before = await lastSeq();
    expect(orch(['budget', 'set', 'session', key]).code).toBe(2); // no limit named
    expect(orch(['budget', 'usage', 'session', key, '--tokens', '-3']).code).toBe(2);
    expect(orch(['budget', 'show', 'sprint', 'SPR-BUDGET']).code).toBe(2);
    const agentSets = orch(['budget', 'set', 'session', key, '--tokens', '5'], AGENT);
    expect(agentSets.code).toBe(1);
    expect(agentSets.err).toContain('AUTH.FORBIDDEN');
    expect(await lastSeq()).toBe(before);

    const pool = orch(['resources']);
    expect(pool.code).toBe(0);
    expect(pool.out).toMatch(/^policy \S+; free /);
    expect(pool.out).toMatch(/only\s+config\s+2 cpu, 4096 MB, 0 gpu/);
  }, 30_000);

  const bad: Array<[string, string, { method?: string; json?: unknown; body?: string; key?: string; headers?: Record<string, string> }, number, string | null]> = [
    ['malformed JSON', '/budgets/session/KEY/usage', { body: '{"tokens": 1', headers: { 'content-type': 'application/json' } }, 400, null],
    ['negative tokens', '/budgets/session/KEY/usage', { json: { tokens: -5 } }, 400, 'body.tokens'],
    ['fractional tokens', '/budgets/session/KEY/usage', { json: { tokens: 1.5 } }, 400, 'body.tokens'],
    ['a cost given as text', '/budgets/session/KEY/usage', { json: { costUsd: '3 dollars' } }, 400, 'body.costUsd'],
    ['an empty report', '/budgets/session/KEY/usage', { json: {} }, 400, 'body.tokens'],
    ['an unknown field', '/budgets/session/KEY/usage', { json: { tokens: 1, gpuHours: 2 } }, 400, null],
    ['a wrong scope', '/budgets/sprint/SPR-BUDGET', {}, 400, 'params.scope'],
    ['a workflow id under the session scope', '/budgets/session/WFL-0A1B2C', {}, 400, 'params.id'],
    ['a hostile id', "/budgets/workflow/WFL-1'%3B%20DROP%20TABLE%20x", {}, 400, 'params.id'],
    ['an unknown session', '/budgets/session/sess_TSK-NOPE_20260101_120000', {}, 404, null],
    ['usage for an unknown workflow', '/budgets/workflow/WFL-NOPE/usage', { json: { tokens: 1 } }, 404, null],
    ['limits for an unknown workflow', '/budgets/workflow/WFL-NOPE', { method: 'PUT', json: { tokens: 1 } }, 404, null],
    ['a zero limit', '/budgets/session/KEY', { method: 'PUT', json: { tokens: 0 } }, 400, 'body.tokens'],
    ['a negative cost limit', '/budgets/session/KEY', { method: 'PUT', json: { costUsd: -1 } }, 400, 'body.costUsd'],
    ['limits with no dimension', '/budgets/session/KEY', { method: 'PUT', json: {} }, 400, 'body.tokens'],
    ['limits set by an agent', '/budgets/session/KEY', { method: 'PUT', json: { tokens: 5 }, key: AGENT }, 403, null],
    ['usage reported by a viewer', '/budgets/session/KEY/usage', { json: { tokens: 5 }, key: 'dev-viewer-key' }, 403, null],
  ];
  it.each(bad)('refuses %s with a problem document, writing nothing', async (_name, path, init, status, field) => {
    const before = await lastSeq();
    const res = await call(path.replace('KEY', sessionKey), init);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const problem = await json(res);
    expect(problem.code).toEqual(expect.any(String));
    if (field) expect(problem.errors.map((e: { path: string }) => e.path)).toContain(field);
    expect(await lastSeq()).toBe(before);
  });

  it('rebuilds the pool from the log after the agent manager is killed', async () => {
    const spawned = await json(await call('/agents/spawn', { json: { type: 'coder', sprintCode: 'SPR-BUDGET' } }));
    orphans.push(spawned.pid);
    expect(spawned.placement).toMatchObject({ hostId: 'only', need: { cpu: 2 } });
    expect((await call('/resources/hosts', { json: { id: 'spare', cpu: 1, memoryMb: 512 } })).status).toBe(201);
    expect((await call('/resources/quotas', { method: 'PUT', json: { perSprint: { cpu: 2 } } })).status).toBe(200);
    const before = await json(await call('/resources'));

    await system.kill('agent-manager');
    system.spawn('agent-manager');
    await system.waitReady();

    const after = await json(await call('/resources'));
    expect(after).toEqual(before);
    expect(after.allocations).toEqual([expect.objectContaining({ agentId: spawned.agent.id, hostId: 'only', sprintCode: 'SPR-BUDGET' })]);
    // Its process outlived the crash and still holds the slot: the pool is still full for a coder.
    expect(await json(await call('/agents/spawn', { json: { type: 'coder' } }))).toMatchObject({ status: 409, code: 'RESOURCES.EXHAUSTED' });
    // Terminating it gives the slot back, on the new instance.
    expect((await call(`/agents/${spawned.agent.id}`, { method: 'DELETE' })).status).toBe(200);
    await waitFor('the slot to be released', async () => (await json(await call('/resources'))).allocations.length === 0);
    const next = await call('/agents/spawn', { json: { type: 'coder' } });
    expect(next.status).toBe(201);
  }, 60_000);
});
