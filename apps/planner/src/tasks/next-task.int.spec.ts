import { randomUUID } from 'node:crypto';
import type { Subscription } from '@nats-io/transport-node';
import type { z } from 'zod';
import { AgentRoutes, PlannerRoutes, PlanRoutes, AgentView, type RpcMeta, type RpcRoute } from '@orch/contracts';
import { NotFoundError, toErrorReply } from '@orch/errors';
import { RpcClient } from '@orch/messaging';
import { startService, type RunningService } from '@orch/service-kit';
import { isolatedEnv, type IsolatedEnv } from '@orch/testing';
import { plannerService } from '../planner';

const Routes = { ...PlannerRoutes, ...PlanRoutes };
type R = typeof Routes;

describe('GET /tasks/next (real NATS, Postgres; the agent manager answered by a stand-in responder)', () => {
  let iso: IsolatedEnv;
  let planner: RunningService;
  let rpc: RpcClient;
  let agentManager: Subscription | undefined;
  let seq = 0;
  const call = async <K extends keyof R>(route: K, payload: unknown, over: Partial<RpcMeta> = {}) => {
    const meta: RpcMeta = { actor: { kind: 'agent', id: 'coder-1' }, commandId: randomUUID(), issuedAt: new Date().toISOString(), ...over };
    const result = (await rpc.call(Routes[route] as RpcRoute, payload, { meta, correlationId: randomUUID() })) as { value: z.infer<R[K]['response']>; seq?: number };
    seq = Math.max(seq, result.seq ?? 0);
    return result;
  };
  const coder = AgentView.parse({ id: 'coder-1', name: 'coder', type: 'coder', capabilities: ['code_generation', 'testing'], status: 'IDLE', load: 0, maxLoad: 1, priority: 1, permission: 'limited', lastHeartbeatAt: null, lastAssignedAt: null, costPerHour: 6 });

  beforeAll(async () => {
    iso = isolatedEnv();
    planner = await startService(plannerService, iso.env);
    rpc = new RpcClient(planner.infra.nc, planner.infra.subjects);
    agentManager = planner.infra.nc.subscribe(planner.infra.subjects.rpc('agent-manager', AgentRoutes.getAgent.name), {
      callback: (_e, msg) => {
        const { payload } = msg.json<{ payload: { id: string } }>();
        const reply = payload.id === coder.id ? { ok: true, value: coder } : { ok: false, error: toErrorReply(new NotFoundError('AGENT.NOT_FOUND', `Agent ${payload.id} is not registered`)) };
        msg.respond(JSON.stringify(reply));
      },
    });
    await call('createSprint', { code: 'SPR-N', title: 'Next' });
    const tasks = [
      { code: 'TSK-N1', title: 'Design it', priority: 'HIGH', requiredCapabilities: ['workflow_design'], estimateMinutes: 30 },
      { code: 'TSK-N2', title: 'Side quest', priority: 'MEDIUM', requiredCapabilities: ['code_generation'], estimateMinutes: 10 },
      { code: 'TSK-N3', title: 'On the critical path', priority: 'MEDIUM', requiredCapabilities: ['testing'], estimateMinutes: 10 },
      { code: 'TSK-N4', title: 'After N3', priority: 'MEDIUM', estimateMinutes: 100, dependsOn: ['TSK-N3'] },
      { code: 'TSK-N5', title: 'Later', priority: 'LOW', estimateMinutes: 5 },
    ];
    for (const t of tasks) await call('createTask', { sprintCode: 'SPR-N', ...t });
    for (const code of ['TSK-N1', 'TSK-N2', 'TSK-N3', 'TSK-N5']) await call('updateTask', { code, changes: { status: 'READY' } });
  });

  afterAll(async () => {
    agentManager?.unsubscribe();
    await planner?.close();
    await iso?.cleanup();
  });

  it('offers the highest-priority READY task the agent can do; among equals, the one with the least slack, though younger', async () => {
    const { value } = await call('nextTask', { agent: 'coder-1', sprint: 'SPR-N' }, { minSeq: seq });
    expect(value.task?.code).toBe('TSK-N3');
    expect(value).toMatchObject({ slackMinutes: 0, agent: { id: 'coder-1', known: true, capabilities: ['code_generation', 'testing'] } });
    expect(value.reason).toContain('least critical-path slack');
  });

  it('offers the next one once that is taken, and nothing when none fits', async () => {
    await call('updateTask', { code: 'TSK-N3', changes: { status: 'ASSIGNED', assignee: 'coder-1' } });
    expect((await call('nextTask', { agent: 'coder-1', sprint: 'SPR-N' }, { minSeq: seq })).value.task?.code).toBe('TSK-N2');
    for (const code of ['TSK-N2', 'TSK-N5']) await call('updateTask', { code, changes: { status: 'ASSIGNED', assignee: 'coder-1' } });
    const none = (await call('nextTask', { agent: 'coder-1', sprint: 'SPR-N' }, { minSeq: seq })).value;
    expect(none).toMatchObject({ task: null, slackMinutes: null });
    expect(none.reason).toBe('No READY task in SPR-N matches the capabilities of coder-1');
  });

  it('answers 404 for an agent the agent manager does not know', async () => {
    await expect(call('nextTask', { agent: 'ghost' })).rejects.toMatchObject({ code: 'AGENT.NOT_FOUND' });
  });

  it('degrades when the agent manager does not answer: capabilities unchecked, and it says so', async () => {
    agentManager!.unsubscribe();
    agentManager = undefined;
    const { value } = await call('nextTask', { agent: 'coder-1', sprint: 'SPR-N' }, { minSeq: seq });
    expect(value.task?.code).toBe('TSK-N1');
    expect(value.agent.known).toBe(false);
    expect(value.reason).toContain('capabilities were not checked');
  });
});
