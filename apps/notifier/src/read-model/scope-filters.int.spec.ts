import { randomUUID } from 'node:crypto';
import { AgentLost, BugLogged, BugRegressed, TaskCreated, TaskStatusUpdated, TaskUpdated, WebhookRoutes, WorkflowCompleted, WorkflowStarted, type DeliveryPage, type RpcRoute, type WebhookCreatedReply } from '@orch/contracts';
import { RpcClient } from '@orch/messaging';
import { startService, type RunningService } from '@orch/service-kit';
import { isolatedEnv, waitFor, type IsolatedEnv } from '@orch/testing';
import { notifierServiceWith } from '../app.module';
import { emitted, type Emitted } from '../testing/emitted';
import { appendEvent } from '../testing/events';
import { Receiver } from '../testing/receiver';

/**
 * Sprint and task filters on the events worth a message that do not name their sprint (a blocked
 * task, a bug, a regression, a lost agent, a completed workflow): the notifier finds the sprint
 * from the tasks and workflows it has seen in the log, as they stood at that event.
 */
describe('sprint and task filters (real NATS, Postgres and a receiver on loopback)', () => {
  let iso: IsolatedEnv;
  let service: RunningService;
  let rpc: RpcClient;
  let receiver: Receiver;

  const call = async <T>(route: RpcRoute, payload: unknown) =>
    (await rpc.call(route, payload, { meta: { actor: { kind: 'human', id: 'admin', role: 'admin' }, commandId: randomUUID(), issuedAt: new Date().toISOString() }, correlationId: randomUUID() })) as { value: T };
  const subscribe = (body: object) => call<WebhookCreatedReply>(WebhookRoutes.createWebhook as RpcRoute, { url: receiver.url, kind: 'generic', ...body }).then((r) => r.value);
  const delivered = async (id: string) => {
    await service.projections.get('webhooks')!.catchUp(10_000);
    const page = await call<DeliveryPage>(WebhookRoutes.listDeliveries as RpcRoute, { id, query: { limit: 500 } });
    return page.value.items.map((d) => d.eventId).sort();
  };
  const emit = async (e: Emitted, type: string, id: string) => (await appendEvent(service.infra.store, service.infra.subjects, e.type, e.data, { type, id })).id;

  const task = (code: string, sprintCode: string | null) =>
    emit(emitted(TaskCreated, { type: 'orchestration.task.created', data: { code, sprintCode, title: code, description: '', type: 'feature', priority: 'MEDIUM', estimateMinutes: null, requiredCapabilities: [], dependsOn: [], status: 'BACKLOG' } }), 'task', code);
  const moved = (code: string, sprintCode: string | null) => emit(emitted(TaskUpdated, { type: 'orchestration.task.updated', data: { changes: { sprintCode } } }), 'task', code);
  const blocked = (code: string) => emit(emitted(TaskStatusUpdated, { type: 'orchestration.task.status_updated', data: { from: 'FAILED', to: 'BLOCKED', reason: 'retries exhausted' } }), 'task', code);
  const occurrence = (taskCode: string) => ({ message: `TypeError in ${taskCode}`, file: 'src/a.ts', line: 1, taskCode, sessionId: null, agentId: null, redactions: 0 });
  const bug = (taskCode: string) => {
    const hash = randomUUID().replace(/-/g, '').padEnd(64, '0');
    return emit(emitted(BugLogged, { type: 'orchestration.bug.logged', data: { ...occurrence(taskCode), hash, fingerprintVersion: 1, errorClass: 'TypeError', template: 'TypeError in <id>', category: 'type', frame: null, stack: null, notes: [] } }), 'bug', hash);
  };
  const regression = (taskCode: string) => emit(emitted(BugRegressed, { type: 'orchestration.bug.regressed', data: occurrence(taskCode) }), 'bug', randomUUID().replace(/-/g, '').padEnd(64, '0'));
  const lost = (id: string, taskCodes: string[]) => emit(emitted(AgentLost, { type: 'orchestration.agent.lost', data: { agentId: id, name: id, type: 'codex', taskCodes } }), 'agent', id);
  const workflow = async (id: string, sprintCode: string | null, taskCodes: string[]) => {
    await emit(emitted(WorkflowStarted, { type: 'orchestration.workflow.started', data: { id, planId: null, sprintCode, taskCodes, retry: { maxAttempts: 2, backoffMs: 0, maxBackoffMs: 0 } } }), 'workflow', id);
    return emit(emitted(WorkflowCompleted, { type: 'orchestration.workflow.completed', data: { taskCount: taskCodes.length } }), 'workflow', id);
  };

  beforeAll(async () => {
    iso = isolatedEnv({ WEBHOOK_POLL_MS: '100' });
    service = await startService(notifierServiceWith(iso.env), iso.env);
    rpc = new RpcClient(service.infra.nc, service.infra.subjects);
    receiver = await Receiver.start();
  });

  afterAll(async () => {
    await receiver?.close();
    await service?.close();
    await iso?.cleanup();
  });

  const messages = ['orchestration.task.status_updated', 'orchestration.bug.logged', 'orchestration.bug.regressed', 'orchestration.agent.lost', 'orchestration.workflow.completed'];

  it('sends a sprint subscription the blocked tasks, bugs, regressions, lost agents and completed workflows of that sprint only', async () => {
    const hook = await subscribe({ events: messages, sprintCode: 'SPR-A' });
    await task('TSK-A1', 'SPR-A');
    await task('TSK-B1', 'SPR-B');
    await task('TSK-M1', 'SPR-B'); // moves into SPR-A
    await task('TSK-M2', 'SPR-A'); // moves out of SPR-A
    await moved('TSK-M1', 'SPR-A');
    await moved('TSK-M2', 'SPR-B');
    const wanted = [
      await blocked('TSK-A1'),
      await bug('TSK-A1'),
      await regression('TSK-A1'),
      await lost('agent-1', ['TSK-B1', 'TSK-A1']),
      await workflow('WFL-A', 'SPR-A', ['TSK-A1']),
      // A workflow over a plan has no sprint of its own: its tasks' sprint counts.
      await workflow('WFL-P', null, ['TSK-A1']),
      await blocked('TSK-M1'),
    ];
    await blocked('TSK-B1');
    await bug('TSK-B1');
    await regression('TSK-B1');
    await lost('agent-2', ['TSK-B1']);
    await workflow('WFL-B', 'SPR-B', ['TSK-B1']);
    await blocked('TSK-M2');
    await blocked('TSK-UNKNOWN');
    expect(await delivered(hook.id)).toEqual([...wanted].sort());
    await waitFor('every one received', () => wanted.every((id) => receiver.accepted.some((r) => r.json.id === id)));
  });

  it('sends a task subscription the workflows that run the task', async () => {
    const hook = await subscribe({ events: messages, taskCode: 'TSK-T1' });
    await task('TSK-T1', null);
    const wanted = [await workflow('WFL-T1', null, ['TSK-T1', 'TSK-T2']), await blocked('TSK-T1'), await lost('agent-3', ['TSK-T1'])];
    await workflow('WFL-T2', null, ['TSK-T2']);
    expect(await delivered(hook.id)).toEqual([...wanted].sort());
  });

  it('finds the same sprints again after a rebuild', async () => {
    const hook = await subscribe({ events: messages, sprintCode: 'SPR-R' });
    await task('TSK-R1', 'SPR-R');
    const runner = service.projections.get('webhooks')!;
    await runner.rebuild();
    await runner.catchUp(10_000);
    const wanted = await blocked('TSK-R1');
    expect(await delivered(hook.id)).toEqual([wanted]);
  });
});
