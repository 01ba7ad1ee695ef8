import { PlannerRoutes, PlanRoutes } from '@orch/contracts';
import { waitFor } from '@orch/testing';
import { Assigner } from '../apps/agent-manager/src/assignment/assigner';
import { AgentsSystem } from './agents-harness';

/**
 * Workflows and assignment: a started workflow's READY tasks are assigned; while it is paused the
 * planner refuses assignments (409 WORKFLOW.PAUSED) and the agent manager leaves its tasks alone
 * (no slot held, no retries churning the log); on resume they are assigned.
 */
describe('assignment follows workflows', () => {
  let system: AgentsSystem;
  const task = (code: string) => system.call(PlannerRoutes.getTask, { code });

  beforeAll(async () => {
    system = await AgentsSystem.start({ env: { AGENT_ASSIGN_SCAN_MS: '100' } });
    await system.call(PlannerRoutes.createSprint, { code: 'SPR-W', title: 'Workflow' });
    await system.call(PlannerRoutes.createTask, { code: 'TSK-W1', sprintCode: 'SPR-W', title: 'First' });
    await system.call(PlannerRoutes.createTask, { code: 'TSK-W2', sprintCode: 'SPR-W', title: 'Second', dependsOn: ['TSK-W1'] });
    const res = await system.http('/api/v1/agents', { json: { name: 'worker', type: 'coder', maxLoad: 5 } });
    expect(res.status).toBe(201);
  }, 60_000);

  afterAll(async () => system?.stop());

  it('assigns a running workflow’s READY task, skips while paused, and assigns on resume', async () => {
    const workflow = await system.call(PlanRoutes.startWorkflow, { sprintCode: 'SPR-W' });
    await waitFor('TSK-W1 assigned', async () => (await task('TSK-W1')).status === 'ASSIGNED');
    await system.call(PlanRoutes.pauseWorkflow, { id: workflow.id, body: { reason: 'hold on' } });
    await system.call(PlannerRoutes.updateTask, { code: 'TSK-W1', changes: { status: 'IN_PROGRESS' } });
    await system.call(PlannerRoutes.updateTask, { code: 'TSK-W1', changes: { status: 'DONE' } });
    await waitFor('TSK-W2 READY (readiness goes on while paused)', async () => (await task('TSK-W2')).status === 'READY');

    const assigner = system.managers[0]!.app.get(Assigner);
    await waitFor('the agent manager to have met the pause', async () => (await assigner.tryAssign('TSK-W2')) === 'skipped');
    expect(await task('TSK-W2')).toMatchObject({ status: 'READY', assignee: null });
    const agentId = (await system.call(PlannerRoutes.getTask, { code: 'TSK-W1' })).assignee as string;
    await waitFor('the agent to be given back its slot for TSK-W1', async () =>
      (await system.agentEvents(agentId)).some((e) => e.type === 'orchestration.agent.task_released' && e.data.taskCode === 'TSK-W1'));
    const before = (await system.agentEvents(agentId)).length;
    for (let i = 0; i < 5; i++) expect(await assigner.tryAssign('TSK-W2')).toBe('skipped');
    expect((await system.agentEvents(agentId)).length).toBe(before);

    await system.call(PlanRoutes.resumeWorkflow, { id: workflow.id, body: {} });
    await waitFor('TSK-W2 assigned after the resume', async () => (await task('TSK-W2')).status === 'ASSIGNED');
  }, 30_000);
});
