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

  it('finds the least-slack task among more than 200 READY at the top priority, though it is the youngest', async () => {
    await call('createSprint', { code: 'SPR-MANY', title: 'Many' });
    const codes = Array.from({ length: 230 }, (_, i) => `TSK-M${String(i).padStart(3, '0')}`);
    const create = (code: string) => call('createTask', { code, sprintCode: 'SPR-MANY', title: `Parallel ${code}`, priority: 'HIGH', estimateMinutes: 10 }).then(() => call('updateTask', { code, changes: { status: 'READY' } }));
    for (let i = 0; i < codes.length - 1; i += 25) await Promise.all(codes.slice(i, Math.min(i + 25, codes.length - 1)).map(create));
    const youngest = codes.at(-1)!;
    await create(youngest); // created last: the oldest 200 do not include it
    await call('createTask', { code: 'TSK-MTAIL', sprintCode: 'SPR-MANY', title: 'Long tail', estimateMinutes: 100, dependsOn: [youngest] });
    const { value } = await call('nextTask', { agent: 'coder-1', sprint: 'SPR-MANY' }, { minSeq: seq });
    expect(value.task?.code).toBe(youngest);
    expect(value.slackMinutes).toBe(0);
    expect(value.reason).toContain('of 230 at this priority it has the least critical-path slack (0 min)');
  });

  it('offers the older of two tasks with equal priority and slack, whatever their codes', async () => {
    await call('createSprint', { code: 'SPR-TIE', title: 'Tie' });
    for (const code of ['TSK-T9', 'TSK-T1']) {
      await call('createTask', { code, sprintCode: 'SPR-TIE', title: `Tie ${code}`, priority: 'MEDIUM', estimateMinutes: 15 });
      await call('updateTask', { code, changes: { status: 'READY' } });
    }
    const { value } = await call('nextTask', { agent: 'coder-1', sprint: 'SPR-TIE' }, { minSeq: seq });
    expect(value).toMatchObject({ task: { code: 'TSK-T9' }, slackMinutes: 0 });
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
