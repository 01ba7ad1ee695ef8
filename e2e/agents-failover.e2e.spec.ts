import { PlannerRoutes } from '@orch/contracts';
import { waitFor } from '@orch/testing';
import { AgentRegistry, systemMeta } from '../apps/agent-manager/src/agents/registry';
import { Dispatcher } from '../apps/agent-manager/src/assignment/dispatcher';
import { AgentsSystem } from './agents-harness';

const json = (res: Response): Promise<any> => res.json();
const HOLDING_AGENT = '[env, EXAMPLE_AGENT_HOLD=1, HEARTBEAT_MS=150, node, examples/agents/example-agent.mjs]';

/**
 * A spawned agent process (the example agent, holding its task) is killed with SIGKILL: its exit
 * is recorded, it goes STALE, then LOST, its task goes back to READY and is assigned to another
 * agent, which sees it as a resumed task on its long-poll. Timeouts are short here: stale after
 * 1 s, lost after 2 s.
 */
describe('failover of a killed agent', () => {
  let system: AgentsSystem;

  beforeAll(async () => {
    system = await AgentsSystem.start({
      env: { AGENT_STALE_AFTER_MS: '1000', AGENT_LOST_AFTER_MS: '2000', AGENT_SWEEP_MS: '100', AGENT_KILL_GRACE_MS: '2000' },
      agentsYaml: (s) => s.replace('command: [node, examples/agents/example-agent.mjs]', `command: ${HOLDING_AGENT}`),
    });
    await system.call(PlannerRoutes.createSprint, { code: 'SPR-F', title: 'Failover' });
  }, 60_000);

  afterAll(async () => system?.stop());

  it('releases the task of a SIGKILLed agent and hands it to another agent as a resume', async () => {
    const spawned = await system.http('/api/v1/agents/spawn', { json: { type: 'coder', name: 'doomed' } });
    expect(spawned.status).toBe(201);
    const { agent: doomed, pid } = await json(spawned);
    expect(doomed).toMatchObject({ type: 'coder', spawned: true });
    await waitFor('the spawned agent to heartbeat', async () => (await json(await system.http(`/api/v1/agents/${doomed.id}`))).progress === 'idle');

    await system.readyTasks('SPR-F', ['TSK-F1'], { requiredCapabilities: ['code_generation'] });
    await waitFor('TSK-F1 assigned to the spawned agent', async () => (await system.call(PlannerRoutes.getTask, { code: 'TSK-F1' })).assignee === doomed.id, { timeoutMs: 10_000 });

    const rescuer = await json(await system.http('/api/v1/agents', { json: { name: 'rescuer', type: 'coder' } }));
    const key = rescuer.apiKey as string;
    const beats = setInterval(() => void system.http(`/api/v1/agents/${rescuer.agent.id}/heartbeat`, { key, json: { load: 0 } }), 150);
    try {
      process.kill(pid, 'SIGKILL');
      const poll = await system.http(`/api/v1/agents/${rescuer.agent.id}/assignments?wait=20`, { key });
      expect(poll.status).toBe(200);
      expect((await json(poll)).items).toEqual([expect.objectContaining({ taskCode: 'TSK-F1', resumed: true, status: 'ASSIGNED' })]);
    } finally {
      clearInterval(beats);
    }
    const history = (await system.agentEvents(doomed.id)).map((e) => e.type.replace('orchestration.agent.', ''));
    // A slow start may add a stale/recovered pair before the assignment; after it, the story is exact.
    expect(history.slice(0, 2)).toEqual(['registered', 'spawned']);
    expect(history.slice(history.indexOf('task_assigned'))).toEqual(['task_assigned', 'exited', 'stale', 'lost']);
    const events = await system.agentEvents(doomed.id);
    expect(events.find((e) => e.type === 'orchestration.agent.exited')?.data).toEqual({ agentId: doomed.id, code: null, signal: 'SIGKILL' });
    expect(events.find((e) => e.type === 'orchestration.agent.lost')?.data).toEqual({ agentId: doomed.id, name: 'doomed', type: 'coder', taskCodes: ['TSK-F1'] });
    // The planner's read model learns of the new assignment from the log, a moment after the poll answered.
    await waitFor('the planner to show TSK-F1 assigned to the rescuer', async () => {
      const task = await system.call(PlannerRoutes.getTask, { code: 'TSK-F1' });
      return (task.status === 'ASSIGNED' && task.assignee === rescuer.agent.id) || undefined;
    }, { timeoutMs: 10_000 });
    const statuses = (await system.taskEvents('TSK-F1')).filter((e) => e.type === 'orchestration.task.status_updated').map((e) => e.data.to);
    expect(statuses).toEqual(['READY', 'ASSIGNED', 'READY', 'ASSIGNED']);
  }, 60_000);

  it('terminates a spawned agent with SIGTERM and records its exit', async () => {
    const { agent, pid } = await json(await system.http('/api/v1/agents/spawn', { json: { type: 'coder', name: 'short-lived' } }));
    await waitFor('it to heartbeat', async () => (await json(await system.http(`/api/v1/agents/${agent.id}`))).progress === 'idle');
    const res = await system.http(`/api/v1/agents/${agent.id}`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect((await json(res)).status).toBe('TERMINATED');
    await waitFor('the exit to be recorded', async () => (await system.agentEvents(agent.id)).some((e) => e.type === 'orchestration.agent.exited'));
    const exited = (await system.agentEvents(agent.id)).find((e) => e.type === 'orchestration.agent.exited');
    expect(exited?.data).toEqual({ agentId: agent.id, code: 0, signal: null });
    expect(() => process.kill(pid, 0)).toThrow();
  }, 30_000);

  it('gives back a slot whose assignment never reached the planner (an instance died in between)', async () => {
    const { agent } = await json(await system.http('/api/v1/agents', { json: { name: 'half-assigned', type: 'reviewer' } }));
    await system.call(PlannerRoutes.createTask, { code: 'TSK-F9', sprintCode: 'SPR-F', title: 'Orphaned reservation', requiredCapabilities: ['quantum_review'] });
    const manager = system.managers[0]!;
    // The reservation as a crashed instance would have left it, a minute ago.
    const meta = { ...systemMeta(), issuedAt: new Date(Date.now() - 60_000).toISOString() };
    await manager.app.get(AgentRegistry).execute({ type: 'AssignTask', id: agent.id, task: { taskCode: 'TSK-F9', sprintCode: 'SPR-F', title: 'x', cost: 0, resumed: false } }, meta);
    await waitFor('the read model to show the hold', async () => (await json(await system.http(`/api/v1/agents/${agent.id}`))).taskCodes.includes('TSK-F9'));
    // An audit already running (the periodic one) holds the audit lock: ask again until ours ran.
    const released = await waitFor('the audit to give the slot back', async () => {
      await manager.app.get(Dispatcher).auditHolds();
      return (await system.agentEvents(agent.id)).find((e) => e.type === 'orchestration.agent.task_released');
    }, { timeoutMs: 20_000, intervalMs: 250 });
    expect(released.data).toEqual({ agentId: agent.id, taskCode: 'TSK-F9', reason: 'task is BACKLOG' });
  }, 30_000);

  it('stops a spawned agent that hangs: once LOST, its process is killed, so it cannot go on with tasks given to others', async () => {
    const { agent, pid } = await json(await system.http('/api/v1/agents/spawn', { json: { type: 'coder', name: 'hung' } }));
    await waitFor('it to heartbeat', async () => (await json(await system.http(`/api/v1/agents/${agent.id}`))).progress === 'idle');
    process.kill(pid, 'SIGSTOP'); // alive but frozen: no more heartbeats, and SIGTERM stays pending
    try {
      await waitFor('the exit of the hung process to be recorded', async () => (await system.agentEvents(agent.id)).some((e) => e.type === 'orchestration.agent.exited'), { timeoutMs: 20_000, intervalMs: 200 });
    } finally {
      try {
        process.kill(pid, 'SIGKILL'); // in case the test failed: never leave a stopped process behind
      } catch {
        // gone, as it should be
      }
    }
    const history = (await system.agentEvents(agent.id)).map((e) => e.type.replace('orchestration.agent.', ''));
    expect(history.indexOf('lost')).toBeGreaterThan(-1);
    expect(history.indexOf('exited')).toBeGreaterThan(history.indexOf('lost'));
    const exited = (await system.agentEvents(agent.id)).find((e) => e.type === 'orchestration.agent.exited');
    expect(exited?.data).toEqual({ agentId: agent.id, code: null, signal: 'SIGKILL' }); // SIGTERM could not reach it; SIGKILL after the grace period did
  }, 30_000);

  it('stops its spawned agents when it shuts down, and records their exits before its connections close', async () => {
    const { agent, pid } = await json(await system.http('/api/v1/agents/spawn', { json: { type: 'coder', name: 'outlived' } }));
    await waitFor('it to heartbeat', async () => (await json(await system.http(`/api/v1/agents/${agent.id}`))).progress === 'idle');
    await system.managers[0]!.close(); // the last test: the system's stop() tolerates a closed manager
    expect(() => process.kill(pid, 0)).toThrow();
    const exited = (await system.agentEvents(agent.id)).find((e) => e.type === 'orchestration.agent.exited');
    expect(exited?.data).toMatchObject({ agentId: agent.id });
  }, 30_000);
});
