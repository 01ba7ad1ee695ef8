import { SystemUnderTest, waitFor } from '@orch/testing';

/**
 * The planner with the real agent manager: a plan's capability check uses the registered agents
 * (warning about what none of them has, costing with their hourly rate), and the next-task query
 * asks the agent manager who the agent is.
 */
const json = (res: Response): Promise<any> => res.json();

describe('plans and next task with the real agent manager', () => {
  let system: SystemUnderTest;

  beforeAll(async () => {
    system = await SystemUnderTest.start({ services: ['planner', 'agent-manager'] });
  }, 60_000);

  afterAll(async () => {
    await system?.stop();
  });

  it('warns about capabilities no registered agent has, and plans with the registered agents', async () => {
    const registered = await system.fetch('/api/v1/agents', { json: { name: 'fixer', type: 'coder', capabilities: ['error_diagnosis', 'code_review', 'code_generation'] } });
    expect(registered.status).toBe(201);
    const { agent } = await json(registered);
    const plan = await waitFor('the agent to be listed', async () => {
      const p = await json(await system.fetch('/api/v1/plans', { json: { goal: 'Fix checkout', template: 'bug_fix', params: { bug: 'TypeError in checkout' } } }));
      return p.analysis.warnings.every((w: { code: string }) => w.code !== 'PLAN.AGENTS_UNKNOWN') && p.analysis.agents >= 1 && p;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    expect(plan.analysis.costPerHour).toBe(agent.costPerHour);
    expect(plan.analysis.warnings).toEqual([expect.objectContaining({ code: 'PLAN.CAPABILITY_UNAVAILABLE', taskIds: ['fix.regression_test', 'verify'] })]);

    // Under load the agent manager may answer after the planner stopped waiting (it then degrades): ask until it answers.
    const next = await waitFor('the agent manager to answer', async () => {
      const n = await json(await system.fetch(`/api/v1/tasks/next?agent=${agent.id}`));
      return n.agent.known && n;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    expect(next).toMatchObject({ task: null, agent: { id: agent.id, known: true, capabilities: ['error_diagnosis', 'code_review', 'code_generation'] } });
    const unknown = await waitFor('a 404 for an agent nobody registered', async () => {
      const res = await system.fetch('/api/v1/tasks/next?agent=nobody-here');
      return res.status !== 200 && res; // 200 only if the agent manager did not answer in time (degraded)
    }, { timeoutMs: 30_000, intervalMs: 200 });
    expect(unknown.status).toBe(404);
    expect(await json(unknown)).toMatchObject({ code: 'AGENT.NOT_FOUND' });
  }, 90_000);
});
