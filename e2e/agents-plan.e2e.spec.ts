import { SystemUnderTest, waitFor } from '@orch/testing';

const json = (res: Response): Promise<any> => res.json();

/**
 * No human action: two example agents (spawned processes that heartbeat, long-poll and drive each
 * task's session through its phases with the `orch` CLI) complete a 10-task plan with
 * dependencies that a workflow releases task by task. Every service is a real process from dist/.
 */
describe('two example agents complete a plan', () => {
  let system: SystemUnderTest;

  beforeAll(async () => {
    system = await SystemUnderTest.start({ env: { AGENT_ASSIGN_SCAN_MS: '200', RPC_TIMEOUT_MS: '5000' } });
  }, 90_000);

  afterAll(async () => system?.stop());

  it('runs the workflow to the end', async () => {
    expect((await system.fetch('/api/v1/sprints', { json: { code: 'SPR-PLAN', title: 'Ten tasks' } })).status).toBe(201);
    // A diamond-shaped DAG: 1 → 2,3,4 → 5 → 6,7 → 8 → 9 → 10.
    const deps: Record<number, number[]> = { 1: [], 2: [1], 3: [1], 4: [1], 5: [2, 3, 4], 6: [5], 7: [5], 8: [6, 7], 9: [8], 10: [9] };
    for (let i = 1; i <= 10; i++) {
      const res = await system.fetch('/api/v1/tasks', { json: { code: `TSK-P${i}`, sprintCode: 'SPR-PLAN', title: `Step ${i}`, type: 'feature', requiredCapabilities: ['code_generation'], dependsOn: deps[i]!.map((d) => `TSK-P${d}`) } });
      expect(res.status).toBe(201);
    }
    for (const name of ['alpha', 'beta']) expect((await system.fetch('/api/v1/agents/spawn', { json: { type: 'coder', name } })).status).toBe(201);
    expect((await system.fetch('/api/v1/workflows', { json: { sprintCode: 'SPR-PLAN' } })).status).toBe(201);
    await waitFor('every task DONE', async () => {
      const { items } = await json(await system.fetch('/api/v1/tasks?sprint=SPR-PLAN&status=DONE'));
      return items.length === 10;
    }, { timeoutMs: 150_000, intervalMs: 500 }).catch(async (error: Error) => {
      const { items } = await json(await system.fetch('/api/v1/tasks?sprint=SPR-PLAN'));
      throw new Error(`${error.message}\n${items.map((t: any) => `${t.code} ${t.status} ${t.assignee}`).join('\n')}\n${system.output.slice(-30).join('')}`);
    });
    const agents = (await json(await system.fetch('/api/v1/agents?type=coder'))).items;
    const spawned = agents.filter((a: any) => a.spawned).map((a: any) => a.id);
    expect(spawned).toHaveLength(2);
    // The agents did the work through sessions driven by the CLI, acting as themselves (their own keys).
    const events = async (type: string) => (await json(await system.fetch(`/api/v1/events?type=${type}&limit=1000`))).items;
    const starts = await events('orchestration.session.start');
    expect(new Set(starts.map((e: any) => e.data.taskCode)).size).toBe(10);
    expect(starts.every((e: any) => e.actor.kind === 'agent' && spawned.includes(e.actor.id))).toBe(true);
    expect((await events('orchestration.phase.>')).length).toBeGreaterThanOrEqual(10 * 5);
  }, 180_000);
});
