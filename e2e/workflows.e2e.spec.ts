import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { isolatedEnv, SystemUnderTest, TEST_NATS_URL, waitFor } from '@orch/testing';

/**
 * Plans and workflows through the running system (planner and gateway as processes from dist/,
 * no agent manager: plans note that capabilities were not checked). A plan of ten tasks is
 * accepted and run: readiness follows the dependencies as tasks are done; pause holds back
 * assignments; bad input is refused with a problem document and nothing written.
 */
const json = (res: Response): Promise<any> => res.json();
// A whole plan is run step by step against real servers on a shared machine: allow for a slow day.
jest.setTimeout(120_000);

describe('plans and workflows, end to end', () => {
  let system: SystemUnderTest;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  const lastSeq = async () => (await jsm.streams.info(system.iso.env.NATS_STREAM!)).state.last_seq;
  const patch = (code: string, body: object) => system.fetch(`/api/v1/tasks/${code}`, { method: 'PATCH', json: body });
  const statusOf = async (code: string) => (await json(await system.fetch(`/api/v1/tasks/${code}`))).status as string;

  beforeAll(async () => {
    system = await SystemUnderTest.start({ services: ['planner'] });
    nc = await connect({ servers: TEST_NATS_URL });
    jsm = await jetstreamManager(nc);
  }, 60_000);

  afterAll(async () => {
    await nc?.close();
    await system?.stop();
  });

  it('lists the templates a plan can use', async () => {
    const list = await json(await system.fetch('/api/v1/plans/templates', { key: 'dev-viewer-key' }));
    expect(list).toMatchObject({ decomposer: 'template' });
    expect(list.items.map((t: { name: string }) => t.name)).toEqual(['bug_fix', 'feature', 'refactor', 'research']);
  });

  it('plans a feature, accepts it, and runs it to completion as tasks are done in dependency order', async () => {
    const created = await system.fetch('/api/v1/plans', { json: { goal: 'Dark mode for everyone', template: 'feature', params: { feature: 'dark mode' }, sprintCode: 'SPR-E2E' } });
    expect(created.status).toBe(201);
    const plan = await json(created);
    expect(plan.tasks).toHaveLength(10);
    expect(plan.analysis.warnings.map((w: { code: string }) => w.code)).toEqual(['PLAN.AGENTS_UNKNOWN']);
    const shown = await system.fetch(`/api/v1/plans/${plan.id}`, { headers: { 'x-orch-min-seq': created.headers.get('x-orch-seq')! } });
    expect((await json(shown)).analysis.criticalPathMinutes).toBe(plan.analysis.criticalPathMinutes);

    const accepted = await json(await system.fetch(`/api/v1/plans/${plan.id}/accept`, { method: 'POST' }));
    expect(accepted).toMatchObject({ status: 'ACCEPTED', sprintCode: 'SPR-E2E' });
    const code: Record<string, string> = Object.fromEntries(accepted.tasks.map((t: { id: string; taskCode: string }) => [t.id, t.taskCode]));
    const started = await system.fetch('/api/v1/workflows', { json: { planId: plan.id } });
    expect(started.status).toBe(201);
    const workflow = await json(started);

    for (const id of plan.analysis.layers.flat() as string[]) {
      await waitFor(`${id} to be READY`, async () => (await statusOf(code[id]!)) === 'READY', { timeoutMs: 30_000 });
      if (id === 'design') {
        const next = await json(await system.fetch('/api/v1/tasks/next?agent=agent-7&sprint=SPR-E2E'));
        expect(next.task.code).toBe(code.design);
        expect(next.agent.known).toBe(false);
        expect((await statusOf(code['implement.code']!))).toBe('BACKLOG');
      }
      for (const status of ['IN_PROGRESS', 'DONE']) expect((await patch(code[id]!, { status })).status).toBe(200);
    }
    const done = await waitFor('the workflow to complete', async () => {
      const w = await json(await system.fetch(`/api/v1/workflows/${workflow.id}`));
      return w.status === 'COMPLETED' && w;
    }, { timeoutMs: 30_000 });
    expect(done).toMatchObject({ progress: 1, counts: expect.objectContaining({ DONE: 10 }) });
    // Both are found again without their ids.
    const plans = await json(await system.fetch('/api/v1/plans?sprint=SPR-E2E', { key: 'dev-viewer-key' }));
    expect(plans.items).toEqual([expect.objectContaining({ id: plan.id, status: 'ACCEPTED', taskCount: 10 })]);
    const workflows = await json(await system.fetch(`/api/v1/workflows?plan=${plan.id}`, { key: 'dev-viewer-key' }));
    expect(workflows).toEqual({ items: [expect.objectContaining({ id: workflow.id, status: 'COMPLETED', taskCount: 10, done: 10, blocked: 0 })], nextCursor: null });
  });

  it('checks and prices a DAG sent to /plans/validate as POST /plans does the same tasks', async () => {
    const plan = await json(await system.fetch('/api/v1/plans', { json: { goal: 'Speed up search', template: 'refactor', params: { target: 'the search index' } } }));
    const tasks = plan.tasks.map((t: any) => ({ id: t.id, title: t.title, estimateMinutes: t.estimateMinutes, dependsOn: t.dependsOn, requiredCapabilities: t.requiredCapabilities }));
    const checked = await json(await system.fetch('/api/v1/plans/validate', { json: { tasks }, key: 'dev-viewer-key' }));
    // No agent manager here: both say so, and both price with the configured cost per agent-hour.
    expect(checked).toEqual(plan.analysis);
    expect(checked).toMatchObject({ costPerHour: 5, warnings: [expect.objectContaining({ code: 'PLAN.AGENTS_UNKNOWN' })] });
    // A DAG that fixes agents and cost and needs no capability is checked without the agent manager.
    const plain = tasks.map(({ requiredCapabilities: _none, ...t }: { requiredCapabilities?: string[] }) => t);
    expect(await json(await system.fetch('/api/v1/plans/validate', { json: { tasks: plain, agents: 2, costPerHour: 7 } }))).toMatchObject({ agents: 2, costPerHour: 7, warnings: [] });
  });

  it('pauses a workflow: assigning or starting its READY task is a 409 WORKFLOW.PAUSED that writes nothing; resume lets it through', async () => {
    await system.fetch('/api/v1/sprints', { json: { code: 'SPR-HOLD', title: 'Hold' } });
    const t = await system.fetch('/api/v1/tasks', { json: { code: 'TSK-HOLD', sprintCode: 'SPR-HOLD', title: 'Hold me' } });
    const workflow = await json(await system.fetch('/api/v1/workflows', { json: { sprintCode: 'SPR-HOLD' }, headers: { 'x-orch-min-seq': t.headers.get('x-orch-seq')! } }));
    await waitFor('TSK-HOLD to be READY', async () => (await statusOf('TSK-HOLD')) === 'READY', { timeoutMs: 30_000 });
    expect((await json(await system.fetch(`/api/v1/workflows/${workflow.id}/pause`, { method: 'POST', json: { reason: 'freeze' } }))).status).toBe('PAUSED');
    const before = await lastSeq();
    const refused = await patch('TSK-HOLD', { status: 'ASSIGNED', assignee: 'agent-1' });
    expect(refused.status).toBe(409);
    expect(await json(refused)).toMatchObject({ code: 'WORKFLOW.PAUSED' });
    // Nor may it be started without an assignment (READY → IN_PROGRESS).
    const started = await patch('TSK-HOLD', { status: 'IN_PROGRESS' });
    expect(started.status).toBe(409);
    expect(await json(started)).toMatchObject({ code: 'WORKFLOW.PAUSED', detail: expect.stringContaining(workflow.id) });
    expect(await lastSeq()).toBe(before);
    await system.fetch(`/api/v1/workflows/${workflow.id}/resume`, { method: 'POST' });
    expect((await patch('TSK-HOLD', { status: 'ASSIGNED', assignee: 'agent-1' })).status).toBe(200);
  });

  it('carries on after the planner is killed: the process manager resumes from its checkpoint', async () => {
    await system.fetch('/api/v1/sprints', { json: { code: 'SPR-CRASH', title: 'Crash' } });
    await system.fetch('/api/v1/tasks', { json: { code: 'TSK-C-A', sprintCode: 'SPR-CRASH', title: 'A' } });
    const b = await system.fetch('/api/v1/tasks', { json: { code: 'TSK-C-B', sprintCode: 'SPR-CRASH', title: 'B', dependsOn: ['TSK-C-A'] } });
    await system.fetch('/api/v1/workflows', { json: { sprintCode: 'SPR-CRASH' }, headers: { 'x-orch-min-seq': b.headers.get('x-orch-seq')! } });
    await waitFor('TSK-C-A to be READY', async () => (await statusOf('TSK-C-A')) === 'READY', { timeoutMs: 30_000 });
    expect((await patch('TSK-C-A', { status: 'IN_PROGRESS' })).status).toBe(200);
    expect((await patch('TSK-C-A', { status: 'DONE' })).status).toBe(200);
    await system.kill('planner');
    system.spawn('planner');
    await system.waitReady();
    await waitFor('TSK-C-B to be READY after the restart', async () => (await statusOf('TSK-C-B')) === 'READY', { timeoutMs: 20_000 });
    // Created (v1), made READY once (v2): a redelivered DONE did not move it twice.
    expect((await json(await system.fetch('/api/v1/tasks/TSK-C-B'))).version).toBe(2);
  }, 60_000);

  describe('bad input: a clear answer, and the log unchanged', () => {
    const cycle = [
      { id: 'a', title: 'A', estimateMinutes: 5, dependsOn: ['b'] },
      { id: 'b', title: 'B', estimateMinutes: 5, dependsOn: ['a'] },
    ];
    const big = Array.from({ length: 10_000 }, (_, i) => ({ id: `t${i}`, title: 'T', estimateMinutes: 1, dependsOn: i ? [`t${i - 1}`] : [] }));
    const cases: Array<[string, () => Promise<Response>, number, string | null, string?]> = [
      ['a cyclic DAG (200, valid false, the cycle named)', () => system.fetch('/api/v1/plans/validate', { json: { tasks: cycle } }), 200, null],
      ['a 10,000-task DAG (200 with its figures)', () => system.fetch('/api/v1/plans/validate', { json: { tasks: big, agents: 4 } }), 200, null],
      ['a DAG too large for one message', () => system.fetch('/api/v1/plans/validate', { json: { tasks: big.map((t) => ({ ...t, title: 'x'.repeat(60) })) } }), 413, 'PLAN.DAG_TOO_LARGE'],
      ['an unknown template', () => system.fetch('/api/v1/plans', { json: { goal: 'x', template: 'moonshot' } }), 404, 'PLAN.UNKNOWN_TEMPLATE'],
      ['a missing template parameter', () => system.fetch('/api/v1/plans', { json: { goal: 'x', template: 'bug_fix' } }), 400, 'PLAN.INVALID_PARAMS', 'params.bug'],
      ['malformed JSON', () => system.fetch('/api/v1/plans', { body: '{"goal": ', headers: { 'content-type': 'application/json' } }), 400, 'REQUEST.MALFORMED_JSON'],
      ['a hostile plan id', () => system.fetch('/api/v1/plans/PLN-1.evt.%3E/accept', { method: 'POST' }), 400, 'REQUEST.INVALID', 'params.id'],
      ['a workflow over both a plan and a sprint', () => system.fetch('/api/v1/workflows', { json: { planId: 'PLN-A', sprintCode: 'SPR-A' } }), 400, 'REQUEST.INVALID', 'body.planId'],
      ['next task without an agent', () => system.fetch('/api/v1/tasks/next'), 400, 'REQUEST.INVALID', 'query.agent'],
      ['a plan list with a limit that is not a number', () => system.fetch('/api/v1/plans?limit=ten'), 400, 'REQUEST.INVALID', 'query.limit'],
      ['a plan list with a hostile cursor', () => system.fetch("/api/v1/plans?after=1%27%3B%20DROP%20TABLE%20orchestration_plans"), 400, 'REQUEST.INVALID', 'query.after'],
      ['a workflow list with an unknown status', () => system.fetch('/api/v1/workflows?status=FINISHED'), 400, 'REQUEST.INVALID', 'query.status'],
      ['a workflow list with an unknown filter', () => system.fetch('/api/v1/workflows?owner=ann'), 400, 'REQUEST.INVALID', 'query.owner'],
      ['an agent key steering a workflow (operators only)', () => system.fetch('/api/v1/workflows/WFL-ANY/pause', { method: 'POST', key: 'dev-agent-key' }), 403, 'AUTH.FORBIDDEN'],
      ['an unknown workflow', () => system.fetch('/api/v1/workflows/WFL-NOPE/pause', { method: 'POST' }), 404, 'WORKFLOW.NOT_FOUND'],
    ];
    it.each(cases.map(([what, send, status, code, field]) => ({ what, send, status, code, field })))('$what', async ({ send, status, code, field }) => {
      const before = await lastSeq();
      const res = await send();
      expect(res.status).toBe(status);
      const body = await json(res);
      if (code) expect(body).toMatchObject({ status, code });
      else if (body.taskCount === 2) expect(body).toMatchObject({ valid: false, errors: [{ code: 'DAG.CYCLE', message: 'Dependency cycle: a → b → a' }] });
      else expect(body).toMatchObject({ valid: true, taskCount: 10_000, criticalPathMinutes: 10_000 });
      if (field) expect(body.errors.map((e: { path: string }) => e.path)).toContain(field);
      expect(await lastSeq()).toBe(before);
    });

    const dagCases: Array<[string, object[], string, string, string[]]> = [
      ['duplicate ids', [{ id: 'a', title: 'A', estimateMinutes: 5, dependsOn: [] }, { id: 'a', title: 'A again', estimateMinutes: 5, dependsOn: [] }], 'DAG.DUPLICATE_ID', 'Task id a is used more than once', ['a']],
      ['an unknown dependency', [{ id: 'a', title: 'A', estimateMinutes: 5, dependsOn: ['ghost'] }], 'DAG.UNKNOWN_DEPENDENCY', 'Task a depends on unknown task ghost', ['a', 'ghost']],
      ['a self-dependency', [{ id: 'a', title: 'A', estimateMinutes: 5, dependsOn: ['a'] }], 'DAG.SELF_DEPENDENCY', 'Task a depends on itself', ['a']],
    ];
    it.each(dagCases)('validates a DAG with %s: 200, valid false, the problem named, nothing written', async (_what, tasks, code, message, taskIds) => {
      const before = await lastSeq();
      const res = await system.fetch('/api/v1/plans/validate', { json: { tasks }, key: 'dev-viewer-key' });
      expect(res.status).toBe(200);
      expect(await json(res)).toMatchObject({ valid: false, errors: [{ code, message, taskIds }], criticalPath: [], layers: [] });
      expect(await lastSeq()).toBe(before);
    });

    it('stops the planner at start-up on an unknown decomposer, naming the setting and the known ones', () => {
      const dir = mkdtempSync(join(tmpdir(), 'planner-config-'));
      const file = join(dir, 'planner.yaml');
      writeFileSync(file, 'workflow:\n  retry: { maxAttempts: 3, backoffMs: 1000, maxBackoffMs: 10000 }\nestimates: { alpha: 0.3, minSamples: 1 }\nplans: { costPerHour: 5, decomposer: llm }\n');
      const iso = isolatedEnv({ PLANNER_CONFIG: file, LOG_LEVEL: 'fatal' });
      const run = spawnSync(process.execPath, [join(__dirname, '..', 'dist', 'apps', 'planner', 'src', 'main.js')], { env: iso.env, encoding: 'utf8', timeout: 30_000 });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`${file}: plans.decomposer: unknown decomposer "llm"; known: template`);
      return iso.cleanup();
    });

    it('stops the planner at start-up on a broken template, naming the file and line', () => {
      const dir = mkdtempSync(join(tmpdir(), 'plans-'));
      writeFileSync(join(dir, 'feature.yaml'), 'name: feature\nmethods:\n  main:\n    steps: [ {id: a\n');
      const iso = isolatedEnv({ PLAN_TEMPLATES_DIR: dir, LOG_LEVEL: 'fatal' });
      const run = spawnSync(process.execPath, [join(__dirname, '..', 'dist', 'apps', 'planner', 'src', 'main.js')], { env: iso.env, encoding: 'utf8', timeout: 30_000 });
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/Invalid plan templates:\n\s+- feature\.yaml: line \d+: broken YAML/);
      return iso.cleanup();
    });
  });
});
