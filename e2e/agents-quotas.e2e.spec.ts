import { PlannerRoutes } from '@orch/contracts';
import { waitFor } from '@orch/testing';
import { Assigner } from '../apps/agent-manager/src/assignment/assigner';
import { LivenessStore } from '../apps/agent-manager/src/liveness/liveness-store';
import { AgentsSystem, pool } from './agents-harness';

const json = (res: Response): Promise<any> => res.json();

/**
 * Quotas: a sprint's cost budget (coder: 6/hour × a 60-minute estimate = 6 per task, budget 10)
 * stops assignments in that sprint with one `budget_exhausted` event, and the per-type cap
 * (researcher: maxConcurrent 2) holds even when tasks become READY all at once.
 */
describe('assignment quotas', () => {
  let system: AgentsSystem;

  beforeAll(async () => {
    system = await AgentsSystem.start({
      managers: 2,
      env: { AGENT_SPRINT_BUDGET: '10' },
      agentsYaml: (s) => s.replace('maxConcurrent: 50', 'maxConcurrent: 2'),
    });
    for (const code of ['SPR-B', 'SPR-C', 'SPR-R']) await system.call(PlannerRoutes.createSprint, { code, title: code });
  }, 60_000);

  afterAll(async () => system?.stop());

  const statusOf = async (code: string) => (await system.call(PlannerRoutes.getTask, { code })).status as string;

  it('stops assigning in a sprint whose budget is spent, with one event, and goes on in other sprints', async () => {
    const res = await system.http('/api/v1/agents', { json: { name: 'coder', type: 'coder', maxLoad: 10 } });
    expect(res.status).toBe(201);
    await system.readyTasks('SPR-B', ['TSK-B1'], { estimateMinutes: 60, requiredCapabilities: ['code_generation'] });
    await waitFor('TSK-B1 assigned', async () => (await statusOf('TSK-B1')) === 'ASSIGNED');
    await system.readyTasks('SPR-B', ['TSK-B2', 'TSK-B3'], { estimateMinutes: 60, requiredCapabilities: ['code_generation'] });
    const subject = system.planner.infra.subjects.aggregate('agent-budget', 'SPR-B');
    await waitFor('the budget to be exhausted', async () => (await system.store.readSubject(subject)).length > 0);
    await system.readyTasks('SPR-C', ['TSK-C1'], { estimateMinutes: 60, requiredCapabilities: ['code_generation'] });
    await waitFor('TSK-C1 (another sprint) assigned', async () => (await statusOf('TSK-C1')) === 'ASSIGNED');
    expect(await statusOf('TSK-B2')).toBe('READY');
    expect(await statusOf('TSK-B3')).toBe('READY');
    const events = (await system.store.readSubject(subject)).flatMap((c) => c.events);
    expect(events.map((e) => [e.type, e.data])).toEqual([['orchestration.agent.budget_exhausted', { sprintCode: 'SPR-B', spent: 6, budget: 10 }]]);
  }, 30_000);

  it('never runs more tasks of a type at once than its maxConcurrent', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await json(await system.http('/api/v1/agents', { json: { name: `researcher ${i}`, type: 'researcher', maxLoad: 3 } }))).agent.id);
    const codes = Array.from({ length: 6 }, (_, i) => `TSK-R${i}`);
    await pool(codes, 6, (code) => system.readyTasks('SPR-R', [code], { requiredCapabilities: ['web_research'], estimateMinutes: 1 }));
    await waitFor('two research tasks assigned', async () => (await system.call(PlannerRoutes.listTasks, { sprint: 'SPR-R', status: 'ASSIGNED' })).items.length === 2);
    // Both instances try every READY task again, at once: the cap holds; agents are free, the type is not.
    const ready = (await system.call(PlannerRoutes.listTasks, { sprint: 'SPR-R', status: 'READY' })).items.map((t: { code: string }) => t.code);
    const outcomes = await Promise.all(system.managers.flatMap((m) => ready.map((code: string) => m.app.get(Assigner).tryAssign(code))));
    expect(outcomes.every((o) => o === 'no-agent' || o === 'skipped')).toBe(true);
    const assigned = (await system.call(PlannerRoutes.listTasks, { sprint: 'SPR-R', status: 'ASSIGNED' })).items;
    expect(assigned).toHaveLength(2);
    // One finishes: exactly one more may start.
    await system.call(PlannerRoutes.updateTask, { code: assigned[0].code, changes: { status: 'IN_PROGRESS' } });
    await system.call(PlannerRoutes.updateTask, { code: assigned[0].code, changes: { status: 'DONE' } });
    await waitFor('a third research task assigned', async () => (await system.call(PlannerRoutes.listTasks, { sprint: 'SPR-R', status: 'ASSIGNED' })).items.length === 2
      && (await system.call(PlannerRoutes.listTasks, { sprint: 'SPR-R', status: 'READY' })).items.length === 3);
  }, 30_000);

  it('gives back the type slot it took ahead when another instance holds the task', async () => {
    // The slot for the likeliest agent's type is taken in the claim's round trip; a refused claim must return it.
    const manager = system.managers[0]!;
    const redis = manager.infra.redis!;
    const before = await redis.get('agents:type-load:coder');
    expect(before).not.toBeNull(); // seeded by the coder tasks assigned above
    expect(await manager.app.get(LivenessStore).claim('TSK-HELD', 15_000)).toBe(true); // as if another instance were assigning it
    const facts = { code: 'TSK-HELD', sprintCode: 'SPR-C', title: 'held', type: 'feature', estimateMinutes: 1, requiredCapabilities: ['code_generation'], status: 'READY' as const, assignee: null, previousAssignee: null, version: 2 };
    await expect(manager.app.get(Assigner).tryAssign('TSK-HELD', facts)).resolves.toBe('skipped');
    expect(await redis.get('agents:type-load:coder')).toBe(before);
  });
});
