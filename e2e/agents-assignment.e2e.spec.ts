import { PlannerRoutes } from '@orch/contracts';
import { waitFor } from '@orch/testing';
import { AgentsSystem, pool } from './agents-harness';

const json = (res: Response): Promise<any> => res.json();
const AGENTS = 50;
const TASKS = 500;
const MAX_LOAD = 5;

/**
 * Two agent-manager instances share the log and assign concurrently: 500 READY tasks over 50
 * agents of maxLoad 5. Every task is assigned exactly once, and no agent ever holds more than 5.
 */
describe('assignment by two agent-manager instances', () => {
  let system: AgentsSystem;
  let agentIds: string[];
  const codes = Array.from({ length: TASKS }, (_, i) => `TSK-${String(i + 1).padStart(3, '0')}`);
  const assignedTasks = async () => (await system.call(PlannerRoutes.listTasks, { status: 'ASSIGNED', limit: 500 })).items as Array<{ code: string; assignee: string }>;

  beforeAll(async () => {
    // These agents never heartbeat (no processes): liveness is not under test here, and on a busy
    // machine this test can outlast the coder type's lost timeout, after which no agent is left.
    system = await AgentsSystem.start({
      managers: 2,
      agentsYaml: (s) => s.replace('maxConcurrent: 100', 'maxConcurrent: 10000'),
      env: { AGENT_STALE_AFTER_MS: '3600000', AGENT_LOST_AFTER_MS: '7200000' },
    });
    await system.call(PlannerRoutes.createSprint, { code: 'SPR-LOAD', title: 'Load' });
    agentIds = [];
    await pool(Array.from({ length: AGENTS }, (_, i) => i), 10, async (i) => {
      const res = await system.http('/api/v1/agents', { json: { name: `coder ${i}`, type: 'coder', maxLoad: MAX_LOAD } });
      expect(res.status).toBe(201);
      agentIds.push((await json(res)).agent.id);
    });
  }, 60_000);

  afterAll(async () => system?.stop());

  it('fills every agent to maxLoad and no further, each task to one agent', async () => {
    await system.readyTasks('SPR-LOAD', codes, { requiredCapabilities: ['code_generation'] });
    const assigned = await waitFor('250 tasks assigned', async () => {
      const items = await assignedTasks();
      return items.length >= AGENTS * MAX_LOAD && items;
    }, { timeoutMs: 150_000, intervalMs: 250 });
    expect(assigned).toHaveLength(AGENTS * MAX_LOAD);
    const perAgent = new Map<string, number>();
    for (const t of assigned) perAgent.set(t.assignee, (perAgent.get(t.assignee) ?? 0) + 1);
    expect([...perAgent.values()].every((n) => n === MAX_LOAD)).toBe(true);
    expect(perAgent.size).toBe(AGENTS);
  }, 200_000);

  it('assigns the rest as agents finish, every task exactly once and never over maxLoad', async () => {
    const first = await assignedTasks();
    await pool(first, 20, async (t) => {
      await system.call(PlannerRoutes.updateTask, { code: t.code, changes: { status: 'IN_PROGRESS' } });
      await system.call(PlannerRoutes.updateTask, { code: t.code, changes: { status: 'DONE' } });
    });
    await waitFor('the other 250 tasks assigned', async () => (await assignedTasks()).length === TASKS - first.length, { timeoutMs: 150_000, intervalMs: 250 });

    for (const code of codes) {
      const assignments = (await system.taskEvents(code)).filter((e) => e.type === 'orchestration.task.status_updated' && e.data.to === 'ASSIGNED');
      expect(assignments).toHaveLength(1);
    }
    const holders = new Map<string, string>();
    for (const id of agentIds) {
      let held = 0;
      let most = 0;
      for (const e of await system.agentEvents(id)) {
        if (e.type === 'orchestration.agent.task_assigned') {
          held++;
          const code = e.data.taskCode as string;
          if (holders.has(code) && holders.get(code) !== id) throw new Error(`${code} held by ${holders.get(code)} and ${id}`);
          holders.set(code, id);
        }
        if (e.type === 'orchestration.agent.task_released') {
          held--;
          if (String(e.data.reason).startsWith('not assigned')) holders.delete(e.data.taskCode as string);
        }
        most = Math.max(most, held);
      }
      expect(most).toBeLessThanOrEqual(MAX_LOAD);
    }
    expect(holders.size).toBe(TASKS);
  }, 300_000);
});
