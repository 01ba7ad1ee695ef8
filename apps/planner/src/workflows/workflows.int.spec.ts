import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { PlannerRoutes, PlanRoutes, type RpcMeta, type RpcRoute, type TaskStatus } from '@orch/contracts';
import { ConflictError } from '@orch/errors';
import { RpcClient } from '@orch/messaging';
import { startService, type RunningService } from '@orch/service-kit';
import { isolatedEnv, waitFor, type IsolatedEnv } from '@orch/testing';
import { plannerService } from '../planner';
import { RetryPoller } from './retry-poller';

const Routes = { ...PlannerRoutes, ...PlanRoutes };
type R = typeof Routes;
const FAST_RETRY = { maxAttempts: 2, backoffMs: 20, maxBackoffMs: 20 };
// A whole plan is run step by step against real servers on a shared machine: allow for a slow day.
jest.setTimeout(120_000);

describe('workflows (real NATS, Postgres; the process manager as a durable consumer)', () => {
  let iso: IsolatedEnv;
  let planner: RunningService;
  let rpc: RpcClient;
  const meta = (over: Partial<RpcMeta> = {}): RpcMeta => ({ actor: { kind: 'human', id: 'ann' }, commandId: randomUUID(), issuedAt: new Date().toISOString(), ...over });
  const call = async <K extends keyof R>(route: K, payload: unknown, over: Partial<RpcMeta> = {}) =>
    rpc.call(Routes[route] as RpcRoute, payload, { meta: meta(over), correlationId: randomUUID() }) as Promise<{ value: z.infer<R[K]['response']>; seq?: number }>;
  const statusOf = async (code: string) => (await planner.infra.dataSource!.query('SELECT status FROM orchestration_tasks WHERE task_code = $1', [code]))[0]?.status as TaskStatus | undefined;
  const becomes = (code: string, status: TaskStatus) => waitFor(`${code} to be ${status}`, async () => (await statusOf(code)) === status, { timeoutMs: 30_000 });
  /** Moves a task through statuses, then waits until the read model shows the last one (read-your-writes). */
  const move = async (code: string, ...statuses: TaskStatus[]) => {
    let seq = 0;
    for (const status of statuses) seq = (await call('updateTask', { code, changes: { status, ...(status === 'ASSIGNED' ? { assignee: 'agent-1' } : {}) } })).seq!;
    await call('getTask', { code }, { minSeq: seq });
  };
  const history = async (code: string) =>
    (await planner.infra.store.readSubject(planner.infra.subjects.aggregate('task', code))).flatMap((c) => c.events).filter((e) => e.type === 'orchestration.task.status_updated').map((e) => e.data as { to: string; reason: string | null });

  beforeAll(async () => {
    iso = isolatedEnv();
    planner = await startService(plannerService, iso.env);
    rpc = new RpcClient(planner.infra.nc, planner.infra.subjects);
  });

  afterAll(async () => {
    await planner?.close();
    await iso?.cleanup();
  });

  it('runs an accepted 10-task plan: readiness propagates as tasks are done in a valid order, then the workflow completes', async () => {
    const { value: plan } = await call('createPlan', { goal: 'Dark mode', template: 'feature', params: { feature: 'dark mode' } });
    const { value: accepted } = await call('acceptPlan', { id: plan.id, body: { sprintCode: 'SPR-WF' } });
    const code = Object.fromEntries(accepted.tasks.map((t) => [t.id, t.taskCode!]));
    const deps = Object.fromEntries(accepted.tasks.map((t) => [t.taskCode!, t.dependsOn.map((d) => code[d]!)]));
    const { value: started } = await call('startWorkflow', { planId: plan.id, retry: FAST_RETRY });
    expect(started).toMatchObject({ status: 'RUNNING', planId: plan.id, sprintCode: 'SPR-WF', taskCount: 10, retry: FAST_RETRY });

    await becomes(code['research.sources']!, 'READY');
    const done = new Set<string>();
    for (const layer of plan.analysis.layers) {
      for (const id of layer) {
        const c = code[id]!;
        await becomes(c, 'READY');
        // Nothing whose dependencies are open is READY.
        for (const [other, ds] of Object.entries(deps)) if (!done.has(other) && ds.some((d) => !done.has(d))) expect(await statusOf(other)).toBe('BACKLOG');
        await move(c, 'ASSIGNED', 'IN_PROGRESS', 'DONE');
        done.add(c);
      }
      if (done.size === 4) {
        const { value: mid } = await call('getWorkflow', { id: started.id });
        expect(mid.counts.DONE).toBe(4);
        expect(mid.remainingCriticalPath[0]).toBe(code['implement.code']);
        expect(mid.eta).not.toBeNull();
      }
    }
    const finished = await waitFor('the workflow to complete', async () => {
      const { value } = await call('getWorkflow', { id: started.id });
      return value.status === 'COMPLETED' && value;
    }, { timeoutMs: 30_000 });
    expect(finished).toMatchObject({ progress: 1, remainingCriticalPath: [], remainingCriticalPathMinutes: 0, eta: null, counts: expect.objectContaining({ DONE: 10 }) });
  });

  it('retries a failing task by policy, then BLOCKS it with the reason', async () => {
    const { value: plan } = await call('createPlan', { goal: 'Fix it', template: 'bug_fix', params: { bug: 'crash' } });
    const { value: accepted } = await call('acceptPlan', { id: plan.id, body: { sprintCode: 'SPR-FAIL' } });
    const reproduce = accepted.tasks[0]!.taskCode!;
    const { value: wf } = await call('startWorkflow', { planId: plan.id, retry: FAST_RETRY });
    await becomes(reproduce, 'READY');
    await move(reproduce, 'IN_PROGRESS', 'FAILED');
    await becomes(reproduce, 'READY');
    expect((await call('getWorkflow', { id: wf.id })).value.attempts).toEqual({ [reproduce]: 1 }); // waiting for its retry: one run made
    await move(reproduce, 'IN_PROGRESS');
    // The retry under way is the second run (the process manager records it from the log).
    await waitFor('the retry to count as the second run', async () => (await call('getWorkflow', { id: wf.id })).value.attempts[reproduce] === 2);
    await move(reproduce, 'FAILED');
    await becomes(reproduce, 'BLOCKED');
    const moves = await history(reproduce);
    expect(moves.map((m) => m.to)).toEqual(['READY', 'IN_PROGRESS', 'FAILED', 'READY', 'IN_PROGRESS', 'FAILED', 'BLOCKED']);
    expect(moves[3]!.reason).toBe(`retry 1 of 1 after a failure (workflow ${wf.id})`);
    expect(moves[6]!.reason).toBe(`failed 2 times; the retry policy of workflow ${wf.id} allows 2 attempts`);
    expect((await call('getWorkflow', { id: wf.id })).value).toMatchObject({ status: 'RUNNING', attempts: { [reproduce]: 2 }, counts: expect.objectContaining({ BLOCKED: 1, BACKLOG: 4 }) });
  });

  it('schedules a retry at the failure time plus the backoff, and does not make the task READY before then', async () => {
    const HOUR = 3_600_000;
    await call('createSprint', { code: 'SPR-BACKOFF', title: 'Backoff' });
    await call('createTask', { code: 'TSK-B1', sprintCode: 'SPR-BACKOFF', title: 'Flaky' });
    const { value: wf } = await call('startWorkflow', { sprintCode: 'SPR-BACKOFF', retry: { maxAttempts: 3, backoffMs: HOUR, maxBackoffMs: 24 * HOUR } });
    await becomes('TSK-B1', 'READY');
    await move('TSK-B1', 'IN_PROGRESS', 'FAILED');
    const events = (await planner.infra.store.readSubject(planner.infra.subjects.aggregate('task', 'TSK-B1'))).flatMap((c) => c.events);
    const failedAt = new Date(events.find((e) => e.type === 'orchestration.task.status_updated' && (e.data as { to: string }).to === 'FAILED')!.occurredAt).getTime();
    const due = await waitFor('the retry to be scheduled', async () => {
      const [row] = await planner.infra.dataSource!.query('SELECT retry_due_at FROM orchestration_workflow_tasks WHERE workflow_id = $1 AND task_code = $2', [wf.id, 'TSK-B1']);
      return row?.retry_due_at ? (row.retry_due_at as Date) : false;
    });
    expect(due.getTime()).toBe(failedAt + HOUR);
    // A poll round now sends nothing: the retry is not due yet.
    const before = await planner.infra.store.lastSeq();
    await planner.app.get(RetryPoller).sendDue();
    expect(await planner.infra.store.lastSeq()).toBe(before);
    expect(await statusOf('TSK-B1')).toBe('FAILED');
    expect((await call('getWorkflow', { id: wf.id })).value.attempts).toEqual({ 'TSK-B1': 1 });
    await move('TSK-B1', 'CANCELLED'); // closes it, and with it the workflow: no retry left pending
  });

  it('pauses the start of its tasks (409 WORKFLOW.PAUSED to ASSIGNED and IN_PROGRESS, nothing written, not offered as next task), resumes them; a cancel stops them for good', async () => {
    await call('createSprint', { code: 'SPR-PAUSE', title: 'Pause' });
    await call('createTask', { code: 'TSK-P1', sprintCode: 'SPR-PAUSE', title: 'First', priority: 'HIGH' });
    await call('createTask', { code: 'TSK-P2', sprintCode: 'SPR-PAUSE', title: 'Second', dependsOn: ['TSK-P1'] });
    const { value: wf } = await call('startWorkflow', { sprintCode: 'SPR-PAUSE' });
    expect(wf.taskCount).toBe(2);
    await becomes('TSK-P1', 'READY');
    expect(await statusOf('TSK-P2')).toBe('BACKLOG');
    await expect(call('startWorkflow', { sprintCode: 'SPR-PAUSE' })).rejects.toMatchObject({ code: 'WORKFLOW.ALREADY_RUNNING' });

    const paused = await call('pauseWorkflow', { id: wf.id, body: { reason: 'release freeze' } });
    expect(paused.value.status).toBe('PAUSED');
    const before = await planner.infra.store.lastSeq();
    const attempt = call('updateTask', { code: 'TSK-P1', changes: { status: 'ASSIGNED', assignee: 'agent-1' } });
    await expect(attempt).rejects.toBeInstanceOf(ConflictError);
    await expect(attempt).rejects.toMatchObject({ code: 'WORKFLOW.PAUSED' });
    // Starting it straight away (what a session start does) is refused the same way.
    await expect(call('updateTask', { code: 'TSK-P1', changes: { status: 'IN_PROGRESS' } })).rejects.toMatchObject({ code: 'WORKFLOW.PAUSED', message: expect.stringContaining(wf.id) });
    expect(await planner.infra.store.lastSeq()).toBe(before);
    expect(await statusOf('TSK-P1')).toBe('READY');
    const next = await call('nextTask', { agent: 'agent-1', sprint: 'SPR-PAUSE' }, { minSeq: paused.seq });
    expect(next.value.task).toBeNull();

    await call('resumeWorkflow', { id: wf.id, body: {} });
    await move('TSK-P1', 'ASSIGNED', 'IN_PROGRESS', 'DONE');
    await becomes('TSK-P2', 'READY');
    const cancelled = await call('cancelWorkflow', { id: wf.id, body: { reason: 'scope cut' } });
    expect(cancelled.value.status).toBe('CANCELLED');
    await expect(call('pauseWorkflow', { id: wf.id, body: {} })).rejects.toMatchObject({ code: 'WORKFLOW.FINISHED' });
    // A cancelled workflow's READY task starts no more, by either move, and is not offered.
    const afterCancel = await planner.infra.store.lastSeq();
    for (const changes of [{ status: 'IN_PROGRESS' }, { status: 'ASSIGNED', assignee: 'agent-1' }]) {
      await expect(call('updateTask', { code: 'TSK-P2', changes })).rejects.toMatchObject({ code: 'WORKFLOW.CANCELLED', message: expect.stringContaining(wf.id) });
    }
    expect(await planner.infra.store.lastSeq()).toBe(afterCancel);
    expect((await call('nextTask', { agent: 'agent-1', sprint: 'SPR-PAUSE' }, { minSeq: cancelled.seq })).value.task).toBeNull();
  });

  it('makes a task READY when its dependency in another sprint, outside the workflow, is done', async () => {
    await call('createSprint', { code: 'SPR-UP', title: 'Upstream' });
    await call('createSprint', { code: 'SPR-DOWN', title: 'Downstream' });
    await call('createTask', { code: 'TSK-UP', sprintCode: 'SPR-UP', title: 'Upstream API' });
    await call('createTask', { code: 'TSK-DOWN', sprintCode: 'SPR-DOWN', title: 'Use it', dependsOn: ['TSK-UP'] });
    await call('createTask', { code: 'TSK-DOWN2', sprintCode: 'SPR-DOWN', title: 'Independent' });
    await call('startWorkflow', { sprintCode: 'SPR-DOWN' });
    await becomes('TSK-DOWN2', 'READY');
    expect(await statusOf('TSK-DOWN')).toBe('BACKLOG');
    await move('TSK-UP', 'READY', 'IN_PROGRESS', 'DONE');
    await becomes('TSK-DOWN', 'READY');
  });

  it('refuses a workflow over a plan that is not accepted, an unknown sprint, and both or neither', async () => {
    const { value: plan } = await call('createPlan', { goal: 'x', template: 'research', params: { topic: 'x' } });
    await expect(call('startWorkflow', { planId: plan.id })).rejects.toMatchObject({ code: 'PLAN.NOT_ACCEPTED' });
    await expect(call('startWorkflow', { sprintCode: 'SPR-NONE' })).rejects.toMatchObject({ code: 'SPRINT.NOT_FOUND' });
    await expect(call('startWorkflow', {})).rejects.toMatchObject({ errors: [{ path: 'planId', message: 'name exactly one of planId or sprintCode' }] });
    await expect(call('getWorkflow', { id: 'WFL-NOPE' })).rejects.toMatchObject({ code: 'WORKFLOW.NOT_FOUND' });
  });

  it('lists workflows newest first, with how many tasks are DONE or BLOCKED, by sprint, plan and status', async () => {
    const all = (await call('listWorkflows', {})).value.items;
    expect(all.length).toBeGreaterThanOrEqual(3);
    const completed = (await call('listWorkflows', { sprint: 'SPR-WF', status: 'COMPLETED' })).value.items;
    expect(completed).toEqual([expect.objectContaining({ sprintCode: 'SPR-WF', status: 'COMPLETED', taskCount: 10, done: 10, blocked: 0 })]);
    const failing = (await call('listWorkflows', { sprint: 'SPR-FAIL' })).value.items;
    expect(failing).toEqual([expect.objectContaining({ status: 'RUNNING', taskCount: 5, done: 0, blocked: 1 })]);
    expect((await call('listWorkflows', { plan: failing[0]!.planId })).value.items.map((w) => w.id)).toEqual([failing[0]!.id]);
    expect((await call('listWorkflows', { sprint: 'SPR-WF', status: 'PAUSED' })).value).toEqual({ items: [], nextCursor: null });
    // A page at a time, in the same order as the whole list.
    const first = (await call('listWorkflows', { limit: 1 })).value;
    expect(first.items.map((w) => w.id)).toEqual([all[0]!.id]);
    const second = (await call('listWorkflows', { limit: 1, after: first.nextCursor! })).value;
    expect(second.items.map((w) => w.id)).toEqual([all[1]!.id]);
    await expect(call('listWorkflows', { status: 'RUNNING', limit: 201 })).rejects.toMatchObject({ code: 'REQUEST.INVALID', errors: [expect.objectContaining({ path: 'limit' })] });
  });

  it('rebuilt from sequence 1, the process manager reaches the same state and sends nothing twice', async () => {
    const runner = planner.projections.get('workflow_runner')!;
    await runner.catchUp(10_000);
    const members = () => planner.infra.dataSource!.query('SELECT workflow_id, task_code, depends_on, closed, failures FROM orchestration_workflow_tasks ORDER BY workflow_id, task_code');
    const before = await members();
    const seq = await planner.infra.store.lastSeq();
    await runner.rebuild();
    await runner.catchUp(10_000);
    expect(await members()).toEqual(before);
    // Give the retry poller a round to act on replayed failures: it must find nothing to send.
    await waitFor('due retries to be cleared', async () => (await planner.infra.dataSource!.query('SELECT 1 FROM orchestration_workflow_tasks WHERE retry_due_at IS NOT NULL')).length === 0);
    expect(await planner.infra.store.lastSeq()).toBe(seq);
  });
});
