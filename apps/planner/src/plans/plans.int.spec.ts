import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { AgentRoutes, PlannerRoutes, PlanRoutes, AgentView, type RpcMeta, type RpcRoute } from '@orch/contracts';
import { NotFoundError, ValidationError } from '@orch/errors';
import { RpcClient } from '@orch/messaging';
import { PgApplier, type BatchItem } from '@orch/projections';
import { startService, type RunningService } from '@orch/service-kit';
import { isolatedEnv, waitFor, type IsolatedEnv } from '@orch/testing';
import { plannerService } from '../planner';
import { plansProjection } from '../read-model/plans.projection';
import { AcceptPlanHandler } from './accept-plan';
import { decide as decidePlan } from './plan';
import { PlanRepository } from './plan.repository';

const Routes = { ...PlannerRoutes, ...PlanRoutes };
type R = typeof Routes;

describe('plans (real NATS, Postgres)', () => {
  let iso: IsolatedEnv;
  let planner: RunningService;
  let rpc: RpcClient;
  const meta = (over: Partial<RpcMeta> = {}): RpcMeta => ({ actor: { kind: 'human', id: 'ann' }, commandId: randomUUID(), issuedAt: new Date().toISOString(), ...over });
  const call = async <K extends keyof R>(route: K, payload: unknown, over: Partial<RpcMeta> = {}) =>
    rpc.call(Routes[route] as RpcRoute, payload, { meta: meta(over), correlationId: randomUUID(), timeoutMs: 15_000 }) as Promise<{ value: z.infer<R[K]['response']>; seq?: number }>;
  const lastSeq = () => planner.infra.store.lastSeq();

  beforeAll(async () => {
    iso = isolatedEnv();
    planner = await startService(plannerService, iso.env);
    rpc = new RpcClient(planner.infra.nc, planner.infra.subjects);
  });

  afterAll(async () => {
    await planner?.close();
    await iso?.cleanup();
  });

  it('decomposes a goal into a validated, optimised plan, and notes that agents were not asked when the agent manager is down', async () => {
    const { value: plan, seq } = await call('createPlan', { goal: 'Let users pick a dark theme', template: 'feature', params: { feature: 'dark mode' }, sprintCode: 'SPR-P1' });
    expect(plan).toMatchObject({ status: 'PROPOSED', template: 'feature', decomposer: 'template', sprintCode: 'SPR-P1' });
    expect(plan.id).toMatch(/^PLN-[0-9A-F]{10}$/);
    expect(plan.tasks).toHaveLength(10);
    expect(plan.tasks.every((t) => t.estimateLabel === 'template' && t.taskCode === null)).toBe(true);
    expect(plan.analysis).toMatchObject({ valid: true, criticalPathMinutes: 30 + 60 + 30 + 60 + 120 + 60 + 30 + 15, totalEffortMinutes: 480, agents: 1, wallClockMinutes: 480 });
    expect(plan.analysis.criticalPath).toEqual(['research.sources', 'research.analyse', 'research.synthesise', 'design', 'implement.code', 'implement.tests.integration', 'review', 'release']);
    expect(plan.analysis.layers[0]).toEqual(['research.sources']);
    expect(plan.analysis.warnings.map((w) => w.code)).toEqual(['PLAN.AGENTS_UNKNOWN']);
    expect((await call('getPlan', { id: plan.id }, { minSeq: seq })).value).toEqual(plan);
  });

  it('warns about capabilities that no registered agent has, and plans for the registered agents', async () => {
    // Parsed, so fields the agents slice adds with defaults need no change here.
    const agent = (id: string, capabilities: string[]) => AgentView.parse({ id, name: id, type: 'coder', capabilities, status: 'IDLE', load: 0, maxLoad: 1, priority: 1, permission: 'limited', lastHeartbeatAt: null, lastAssignedAt: null, costPerHour: 6 });
    const sub = planner.infra.nc.subscribe(planner.infra.subjects.rpc('agent-manager', AgentRoutes.listAgents.name), {
      callback: (_e, msg) => void msg.respond(JSON.stringify({ ok: true, value: { items: [agent('a1', ['error_diagnosis', 'code_review']), agent('a2', ['code_generation'])] } })),
    });
    try {
      const { value: plan } = await call('createPlan', { goal: 'Fix checkout', template: 'bug_fix', params: { bug: 'TypeError in checkout' } });
      expect(plan.analysis).toMatchObject({ agents: 2, costPerHour: 6 });
      expect(plan.analysis.warnings).toEqual([expect.objectContaining({ code: 'PLAN.CAPABILITY_UNAVAILABLE', taskIds: ['fix.regression_test', 'verify'], message: expect.stringContaining('testing') })]);
      // The same DAG sent to /plans/validate is checked and priced the same way: registered agents, their cost.
      const dag = plan.tasks.map((t) => ({ id: t.id, title: t.title, estimateMinutes: t.estimateMinutes, dependsOn: t.dependsOn, requiredCapabilities: t.requiredCapabilities }));
      expect((await call('validateDag', { tasks: dag })).value).toEqual(plan.analysis);
      // What the caller fixes wins: its number of agents, its price.
      expect((await call('validateDag', { tasks: dag, agents: 3, costPerHour: 60 })).value).toMatchObject({ agents: 3, costPerHour: 60, estimatedCost: plan.analysis.totalEffortMinutes });
    } finally {
      sub.unsubscribe();
    }
  });

  it('accepts a plan once: its tasks in the sprint, with their dependencies; a second accept writes nothing', async () => {
    const { value: plan } = await call('createPlan', { goal: 'Clean up billing', template: 'refactor', params: { target: 'billing' } });
    const { value: accepted, seq } = await call('acceptPlan', { id: plan.id, body: { sprintCode: 'SPR-REFACTOR' } });
    expect(accepted.status).toBe('ACCEPTED');
    const codes = Object.fromEntries(accepted.tasks.map((t) => [t.id, t.taskCode!]));
    expect(Object.values(codes)).toEqual(accepted.tasks.map((_, i) => `TSK-${plan.id.slice(4)}-0${i + 1}`));
    const before = await lastSeq();
    const again = await call('acceptPlan', { id: plan.id, body: {} });
    expect(again.value.tasks).toEqual(accepted.tasks);
    expect(await lastSeq()).toBe(before);

    const listed = await call('listTasks', { sprint: 'SPR-REFACTOR' }, { minSeq: seq });
    expect(listed.value.items).toHaveLength(6);
    const restructure = listed.value.items.find((t) => t.code === codes.restructure)!;
    expect(restructure).toMatchObject({ status: 'BACKLOG', title: 'Restructure billing', type: 'refactor', priority: 'HIGH', dependsOn: [codes['safety_net.unit'], codes['safety_net.integration']] });
    expect((await call('getSprint', { code: 'SPR-REFACTOR' }, { minSeq: seq })).value).toMatchObject({ taskCount: 6, goal: 'Clean up billing' });
    await expect(call('acceptPlan', { id: plan.id, body: { sprintCode: 'SPR-OTHER' } })).rejects.toMatchObject({ code: 'PLAN.ALREADY_ACCEPTED' });
  });

  it('completes an accept interrupted half-way when it is sent again: every task exactly once', async () => {
    const { value: plan } = await call('createPlan', { goal: 'Dark mode', template: 'feature', params: { feature: 'dark mode' }, sprintCode: 'SPR-HALF' });
    // What an accept leaves behind when the planner dies half-way: the sprint, the plan's acceptance
    // and the first layers of tasks, written by the handler's own steps under the accept's command id.
    const handler = planner.app.get(AcceptPlanHandler);
    const first = { ...meta(), correlationId: randomUUID() };
    await handler['ensureSprint'](plan as never, 'SPR-HALF', first);
    const accepted = await planner.app.get(PlanRepository).execute(plan.id, first, (state) => decidePlan({ type: 'AcceptPlan', id: plan.id, sprintCode: null }, state));
    const written = plan.analysis.layers.slice(0, 2).flat();
    for (const id of written) await handler['createTask'](accepted.state!, accepted.state!.tasks.find((t) => t.id === id)!, first);
    const codes = Object.values(accepted.state!.taskCodes);
    const created = async () => {
      const counts = await Promise.all(codes.map(async (code) => (await planner.infra.store.readSubject(planner.infra.subjects.aggregate('task', code))).flatMap((c) => c.events).filter((e) => e.type === 'orchestration.task.created').length));
      return Object.fromEntries(codes.map((code, i) => [code, counts[i]]));
    };
    expect(Object.values(await created()).filter((n) => n === 1)).toHaveLength(written.length);
    expect(written.length).toBeLessThan(codes.length);

    const again = await call('acceptPlan', { id: plan.id, body: {} });
    expect(again.value).toMatchObject({ status: 'ACCEPTED', sprintCode: 'SPR-HALF' });
    expect(await created()).toEqual(Object.fromEntries(codes.map((code) => [code, 1])));
    const acceptances = (await planner.infra.store.readSubject(planner.infra.subjects.aggregate('plan', plan.id))).flatMap((c) => c.events).filter((e) => e.type === 'orchestration.plan.accepted');
    expect(acceptances).toHaveLength(1);
    const listed = await call('listTasks', { sprint: 'SPR-HALF' }, { minSeq: again.seq });
    expect(listed.value.items.map((t) => t.code).sort()).toEqual([...codes].sort());
  });

  it('lists plans newest first, by sprint and status, a page at a time', async () => {
    const made: string[] = [];
    let seq = 0;
    for (const [goal, sprintCode] of [['Fix login', 'SPR-L1'], ['Fix logout', 'SPR-L1'], ['Fix signup', 'SPR-L1'], ['Elsewhere', 'SPR-L2']] as const) {
      const created = await call('createPlan', { goal, template: 'bug_fix', params: { bug: goal }, sprintCode });
      made.push(created.value.id);
      seq = created.seq!;
    }
    seq = (await call('acceptPlan', { id: made[0]!, body: {} })).seq!;
    const first = await call('listPlans', { sprint: 'SPR-L1', limit: 2 }, { minSeq: seq });
    expect(first.value.items.map((p) => p.id)).toEqual([made[2], made[1]]);
    expect(first.value.items[0]).toMatchObject({ goal: 'Fix signup', template: 'bug_fix', status: 'PROPOSED', sprintCode: 'SPR-L1', valid: true, taskCount: 5 });
    expect(first.value.items[0]!.criticalPathMinutes).toBeGreaterThan(0);
    const second = await call('listPlans', { sprint: 'SPR-L1', limit: 2, after: first.value.nextCursor! });
    expect(second.value).toEqual({ items: [expect.objectContaining({ id: made[0], status: 'ACCEPTED' })], nextCursor: null });
    expect((await call('listPlans', { sprint: 'SPR-L1', status: 'ACCEPTED' })).value.items.map((p) => p.id)).toEqual([made[0]]);
    expect((await call('listPlans', { sprint: 'SPR-NONE' })).value).toEqual({ items: [], nextCursor: null });
  });

  it.each([
    ['a limit of 0', { limit: 0 }, 'limit'],
    ['a cursor that is not one', { after: 'PLN-1' }, 'after'],
    ['an unknown status', { status: 'DONE' }, 'status'],
    ['an unknown filter', { owner: 'ann' }, 'owner'],
  ])('refuses to list plans with %s, naming the field', async (_what, query, field) => {
    const attempt = call('listPlans', query);
    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toMatchObject({ errors: expect.arrayContaining([expect.objectContaining({ path: expect.stringContaining(field) })]) });
  });

  it('learns a step estimate from tracked times and says so', async () => {
    const { value: plan } = await call('createPlan', { goal: 'Study caching', template: 'research', params: { topic: 'caches' } });
    const { value: accepted } = await call('acceptPlan', { id: plan.id, body: { sprintCode: 'SPR-LEARN' } });
    const sources = accepted.tasks.find((t) => t.id === 'survey.sources')!.taskCode!;
    for (const status of ['READY', 'IN_PROGRESS', 'DONE']) await call('updateTask', { code: sources, changes: { status } });
    const next = await waitFor('the tracked time to be learned', async () => {
      const { value } = await call('createPlan', { goal: 'Study queues', template: 'research', params: { topic: 'queues' } });
      return value.tasks.find((t) => t.id === 'survey.sources')!.estimateSource === 'learned' && value;
    });
    expect(next.tasks.find((t) => t.id === 'survey.sources')).toMatchObject({ estimateLabel: 'learned (n=1)', estimateMinutes: 1, templateEstimateMinutes: 30 });
    expect(next.tasks.find((t) => t.id === 'report')).toMatchObject({ estimateLabel: 'template', estimateMinutes: 45 });
  });

  it("prefers the session service's tracked active time to the task's wall-clock span", async () => {
    const { value: plan } = await call('createPlan', { goal: 'Fix login', template: 'bug_fix', params: { bug: 'login loops' } });
    const { value: accepted } = await call('acceptPlan', { id: plan.id, body: { sprintCode: 'SPR-SESS' } });
    const reproduce = accepted.tasks.find((t) => t.id === 'reproduce')!.taskCode!;
    await call('updateTask', { code: reproduce, changes: { status: 'READY' } });
    await call('updateTask', { code: reproduce, changes: { status: 'IN_PROGRESS' } });
    // What the session service appends when the agent's session on the task ends (40 active minutes).
    const sessionKey = `sess_${reproduce}_20261124_101500`;
    const now = new Date().toISOString();
    const ended = {
      id: randomUUID(), type: 'orchestration.session.end', aggregateType: 'session', aggregateId: sessionKey, version: 1, occurredAt: now,
      actor: { kind: 'agent', id: 'coder-1' }, commandId: randomUUID(), correlationId: randomUUID(), causationId: null, schemaVersion: 1,
      data: { sessionKey, taskCode: reproduce, sprintCode: 'SPR-SESS', status: 'COMPLETED', phase: 'close', forced: false, reason: null, activeMs: 40 * 60_000, phaseDurations: {} },
    };
    await planner.infra.store.append(planner.infra.subjects.aggregate('session', sessionKey), { events: [ended] } as never, { expectedLastSubjectSeq: 0, commandId: ended.commandId, correlationId: ended.correlationId });
    await call('updateTask', { code: reproduce, changes: { status: 'DONE' } });
    const next = await waitFor('the active time to be learned', async () => {
      const { value } = await call('createPlan', { goal: 'Fix logout', template: 'bug_fix', params: { bug: 'logout loops' } });
      return value.tasks[0]!.estimateSource === 'learned' && value;
    });
    expect(next.tasks[0]).toMatchObject({ id: 'reproduce', estimateMinutes: 40, estimateLabel: 'learned (n=1)', templateEstimateMinutes: 30 });
  });

  describe('POST /plans/validate on a DAG the caller sends', () => {
    it('names a cycle in order, and writes nothing', async () => {
      const before = await lastSeq();
      const tasks = [
        { id: 'a', title: 'A', estimateMinutes: 5, dependsOn: ['c'] },
        { id: 'b', title: 'B', estimateMinutes: 5, dependsOn: ['a'] },
        { id: 'c', title: 'C', estimateMinutes: 5, dependsOn: ['b'] },
      ];
      const { value } = await call('validateDag', { tasks, agents: 2 });
      expect(value).toMatchObject({ valid: false, errors: [{ code: 'DAG.CYCLE', message: 'Dependency cycle: a → c → b → a', taskIds: ['a', 'c', 'b', 'a'] }] });
      expect(await lastSeq()).toBe(before);
    });

    it('answers a 10,000-task DAG with its figures', async () => {
      const tasks = Array.from({ length: 10_000 }, (_, i) => ({ id: `t${i}`, title: `T${i}`, estimateMinutes: 1 + (i % 7), dependsOn: i ? [`t${Math.floor(i / 2)}`] : [] }));
      const { value } = await call('validateDag', { tasks, agents: 8, costPerHour: 60 });
      expect(value).toMatchObject({ valid: true, taskCount: 10_000, agents: 8 });
      expect(value.layers).toHaveLength(15); // t_i sits at layer ⌊log2 i⌋ + 1
    });

    it('refuses more than 10,000 tasks and a task without a title, naming the field', async () => {
      const tasks = Array.from({ length: 10_001 }, (_, i) => ({ id: `t${i}`, title: 'x', estimateMinutes: 1, dependsOn: [] }));
      await expect(call('validateDag', { tasks })).rejects.toMatchObject({ errors: [{ path: 'tasks', message: 'must have at most 10000 tasks' }] });
      await expect(call('validateDag', { tasks: [{ id: 'a', estimateMinutes: 1, dependsOn: [] }] })).rejects.toBeInstanceOf(ValidationError);
    });
  });

  describe('bad input (the log does not move)', () => {
    it.each([
      ['an unknown template', { goal: 'x', template: 'moonshot' }, NotFoundError, 'PLAN.UNKNOWN_TEMPLATE'],
      ['a missing parameter', { goal: 'x', template: 'feature' }, ValidationError, 'PLAN.INVALID_PARAMS'],
      ['an unknown field', { goal: 'x', template: 'feature', colour: 'red' }, ValidationError, 'REQUEST.INVALID'],
    ])('refuses %s', async (_what, payload, errorClass, code) => {
      const before = await lastSeq();
      const attempt = call('createPlan', payload);
      await expect(attempt).rejects.toBeInstanceOf(errorClass);
      await expect(attempt).rejects.toMatchObject({ code });
      expect(await lastSeq()).toBe(before);
    });

    it('answers 404 for an unknown plan', async () => {
      await expect(call('getPlan', { id: 'PLN-NOPE' })).rejects.toMatchObject({ code: 'PLAN.NOT_FOUND' });
      await expect(call('acceptPlan', { id: 'PLN-NOPE', body: { sprintCode: 'SPR-X' } })).rejects.toMatchObject({ code: 'PLAN.NOT_FOUND' });
    });
  });

  describe('the read model', () => {
    const snapshot = async () => {
      const ds = planner.infra.dataSource!;
      return {
        plans: await ds.query('SELECT plan_id, status, sprint_code, tasks, analysis, task_codes, version, created_at, updated_at FROM orchestration_plans ORDER BY plan_id'),
        tracked: await ds.query('SELECT * FROM orchestration_plan_tasks ORDER BY task_code'),
      };
    };

    it('is unchanged when every commit is delivered a second time', async () => {
      const runner = planner.projections.get('plans')!;
      await runner.catchUp(10_000);
      const once = await snapshot();
      expect(once.tracked.some((r: { actual_minutes: number | null }) => r.actual_minutes !== null)).toBe(true);
      const items: BatchItem[] = [];
      for (let seq = 1; seq <= (await lastSeq()); seq++) items.push({ seq, commit: await planner.infra.store.readCommit(seq) });
      await new PgApplier(planner.infra.dataSource!, plansProjection).applyBatch(items);
      expect(await snapshot()).toEqual(once);
    });

    it('rebuilt from sequence 1 equals the live one', async () => {
      const runner = planner.projections.get('plans')!;
      await runner.catchUp(10_000);
      const live = await snapshot();
      await runner.rebuild();
      await runner.catchUp(10_000);
      expect(await snapshot()).toEqual(live);
    });
  });
});
