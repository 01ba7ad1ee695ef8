import { Client } from 'pg';
import { SystemUnderTest, waitFor } from '@orch/testing';

/**
 * Workflows with the real session service (planner, session service and gateway as processes from
 * dist/): an agent's session start is a start of its task, so a paused workflow refuses it; and
 * the time sessions track teaches the next plan of a template its step estimates.
 */
const json = (res: Response): Promise<any> => res.json();
const AGENT = 'dev-agent-key';
jest.setTimeout(120_000);

describe('workflows and sessions, end to end', () => {
  let system: SystemUnderTest;
  let pg: Client;
  const post = (path: string, body: unknown, key = 'dev-admin-key') => system.fetch(`/api/v1${path}`, { method: 'POST', json: body, key });
  const statusOf = async (code: string) => (await json(await system.fetch(`/api/v1/tasks/${code}`))).status as string;

  beforeAll(async () => {
    system = await SystemUnderTest.start({ services: ['planner', 'session-service'] });
    pg = new Client({ connectionString: system.iso.env.DATABASE_URL });
    await pg.connect();
    await pg.query(`SET search_path TO "${system.iso.env.DB_SCHEMA}"`);
  }, 60_000);

  afterAll(async () => {
    await pg?.end();
    await system?.stop();
  });

  it("refuses an agent's session start on a paused workflow's task with the workflow's 409, starting nothing; after resume it starts", async () => {
    await post('/sprints', { code: 'SPR-HOLDS', title: 'Hold sessions' });
    const t = await post('/tasks', { code: 'TSK-HOLDS', sprintCode: 'SPR-HOLDS', title: 'Hold my session' });
    const workflow = await json(await system.fetch('/api/v1/workflows', { json: { sprintCode: 'SPR-HOLDS' }, headers: { 'x-orch-min-seq': t.headers.get('x-orch-seq')! } }));
    await waitFor('TSK-HOLDS to be READY', async () => (await statusOf('TSK-HOLDS')) === 'READY', { timeoutMs: 30_000 });
    expect((await post(`/workflows/${workflow.id}/pause`, { reason: 'release freeze' })).status).toBe(200);

    const before = await system.lastSeq();
    const refused = await post('/sessions', { taskCode: 'TSK-HOLDS' }, AGENT);
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(await json(refused)).toMatchObject({
      code: 'WORKFLOW.PAUSED',
      detail: `Task TSK-HOLDS belongs to workflow ${workflow.id}, which is paused; it cannot be IN_PROGRESS until the workflow is resumed`,
    });
    expect(await system.lastSeq()).toBe(before);
    expect(await statusOf('TSK-HOLDS')).toBe('READY');

    expect((await post(`/workflows/${workflow.id}/resume`, {})).status).toBe(200);
    const started = await post('/sessions', { taskCode: 'TSK-HOLDS' }, AGENT);
    expect(started.status).toBe(201);
    expect(await json(started)).toMatchObject({ outcome: 'started', warnings: [] });
    expect(await statusOf('TSK-HOLDS')).toBe('IN_PROGRESS');
  });

  it('learns a step estimate from the active time of real sessions, and weighs several of them', async () => {
    /** Runs the plan's `survey.sources` task through a real session: start, end (forced), DONE. */
    const workOnSources = async (topic: string, sprintCode: string) => {
      const plan = await json(await post('/plans', { goal: `Study ${topic}`, template: 'research', params: { topic } }));
      const accepted = await json(await post(`/plans/${plan.id}/accept`, { sprintCode }));
      const code: string = accepted.tasks.find((x: { id: string }) => x.id === 'survey.sources').taskCode;
      const session = await json(await post('/sessions', { taskCode: code }, AGENT));
      const ended = await post(`/sessions/${session.session.sessionKey}/end`, { force: true, reason: 'the sources are collected' }, AGENT);
      expect(ended.status).toBe(200);
      expect((await system.fetch(`/api/v1/tasks/${code}`, { method: 'PATCH', json: { status: 'DONE' } })).status).toBe(200);
      return code;
    };
    /** The tracked minutes of the task, once the planner has both the session's time and the DONE. */
    const tracked = (code: string) =>
      waitFor(`${code}'s tracked time`, async () => {
        const { rows } = await pg.query('SELECT active_ms, actual_minutes FROM orchestration_plan_tasks WHERE task_code = $1', [code]);
        return rows[0]?.actual_minutes != null && rows[0]?.active_ms != null && { activeMs: Number(rows[0].active_ms), minutes: Number(rows[0].actual_minutes) };
      }, { timeoutMs: 30_000 });
    const sourcesOfNextPlan = async (topic: string) => {
      const plan = await json(await post('/plans', { goal: `Study ${topic}`, template: 'research', params: { topic } }));
      return plan.tasks.find((x: { id: string }) => x.id === 'survey.sources') as { estimateLabel: string; estimateMinutes: number; templateEstimateMinutes: number };
    };

    const first = await tracked(await workOnSources('caches', 'SPR-LEARN-1'));
    // The actual time is the session's active time (not the task's wall-clock span).
    expect(first.minutes).toBeCloseTo(first.activeMs / 60_000, 6);
    const once = await sourcesOfNextPlan('queues');
    expect(once).toMatchObject({ estimateLabel: 'learned (n=1)', estimateMinutes: Math.max(1, Math.round(first.minutes)), templateEstimateMinutes: 30 });

    const second = await tracked(await workOnSources('logs', 'SPR-LEARN-2'));
    const twice = await sourcesOfNextPlan('metrics');
    // alpha 0.3 (config/planner.yaml): the newer sample weighs 0.3, the older 0.7.
    const ewma = 0.3 * second.minutes + 0.7 * first.minutes;
    expect(twice).toMatchObject({ estimateLabel: 'learned (n=2)', estimateMinutes: Math.max(1, Math.round(ewma)), templateEstimateMinutes: 30 });
  });
});
