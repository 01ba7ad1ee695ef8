import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli';
import { fakeGateway, type Recorded } from '../testing/fake-gateway';



const analysis = (valid = true) => ({
  valid,
  errors: valid ? [] : [{ code: 'DAG.CYCLE', message: 'Dependency cycle: a → b → a', taskIds: ['a', 'b', 'a'] }],
  warnings: [{ code: 'PLAN.AGENTS_UNKNOWN', message: 'The agent manager did not answer', taskIds: [] }],
  taskCount: 2,
  layers: valid ? [['a'], ['b']] : [],
  criticalPath: valid ? ['a', 'b'] : [],
  criticalPathMinutes: valid ? 40 : 0,
  totalEffortMinutes: valid ? 40 : 0,
  agents: 1,
  wallClockMinutes: valid ? 40 : 0,
  costPerHour: 5,
  estimatedCost: valid ? 3.33 : 0,
  slackMinutes: {},
});
const task = (id: string, dependsOn: string[]) => ({ id, title: `Do ${id}`, description: '', type: 'feature', priority: 'MEDIUM', estimateMinutes: 20, estimateSource: 'template', estimateLabel: id === 'b' ? 'learned (n=3)' : 'template', templateEstimateMinutes: 20, requiredCapabilities: ['testing'], dependsOn, step: `feature.main.${id}`, taskCode: null });
const plan = { id: 'PLN-ABC', goal: 'Ship', template: 'feature', params: {}, decomposer: 'template', status: 'PROPOSED', sprintCode: null, tasks: [task('a', []), task('b', ['a'])], analysis: analysis(), version: 1, createdAt: 'x', updatedAt: 'x' };
const workflow = { id: 'WFL-1', planId: 'PLN-ABC', sprintCode: 'SPR-1', status: 'PAUSED', retry: { maxAttempts: 3, backoffMs: 1000, maxBackoffMs: 10000 }, taskCount: 2, counts: { READY: 1, BACKLOG: 1, DONE: 0 }, progress: 0.5, remainingEffortMinutes: 20, remainingCriticalPath: ['TSK-2'], remainingCriticalPathMinutes: 20, eta: '2026-01-01T00:20:00.000Z', attempts: { 'TSK-1': 2 }, version: 2, createdAt: 'x', updatedAt: 'x' };

const planSummary = { id: 'PLN-ABC', goal: 'Ship dark mode', template: 'feature', status: 'PROPOSED', sprintCode: 'SPR-1', taskCount: 10, criticalPathMinutes: 405, totalEffortMinutes: 480, valid: true, createdAt: '2026-11-24T16:18:11.997Z', updatedAt: '2026-11-24T16:18:11.997Z' };
const workflowSummary = { id: 'WFL-1', planId: 'PLN-ABC', sprintCode: 'SPR-1', status: 'RUNNING', taskCount: 10, done: 4, blocked: 1, createdAt: '2026-11-24T16:19:00.000Z', updatedAt: '2026-11-24T16:19:30.000Z' };

describe('orch plan and orch workflow', () => {
  let gateway: Awaited<ReturnType<typeof fakeGateway>>;
  beforeAll(async () => {
    gateway = await fakeGateway((req) => {
      const list = (base: string) => req.method === 'GET' && (req.url === base || req.url.startsWith(`${base}?`));
      if (list('/api/v1/plans')) return { status: 200, body: { items: [planSummary], nextCursor: req.url.includes('limit=1') ? '41' : null } };
      if (list('/api/v1/workflows')) return { status: 200, body: { items: [workflowSummary], nextCursor: null } };
      if (req.url === '/api/v1/plans/templates') return { status: 200, body: { decomposer: 'template', items: [{ name: 'bug_fix', description: 'Fix a bug', params: [{ name: 'bug', required: true, default: null, description: null }, { name: 'component', required: false, default: 'the app', description: null }], methods: ['main'], taskCount: 5 }] } };
      if (req.url === '/api/v1/plans/validate') return { status: 200, body: analysis(req.body.tasks.length === 2 && req.body.tasks[0].dependsOn.length === 0) };
      if (req.url.startsWith('/api/v1/plans')) return { status: req.url.endsWith('accept') ? 200 : 201, body: plan };
      if (req.url.startsWith('/api/v1/workflows/WFL-NOPE')) return { status: 404, body: { type: 'about:blank', title: 'Not found', status: 404, code: 'WORKFLOW.NOT_FOUND', detail: 'Workflow WFL-NOPE does not exist' } };
      if (req.url === '/api/v1/workflows/WFL-DONE/cancel') return { status: 422, body: { type: 'about:blank', title: 'Rule violated', status: 422, code: 'WORKFLOW.FINISHED', detail: 'Workflow WFL-DONE is COMPLETED; it cannot be cancelled', missing: [] } };
      if (req.url === '/api/v1/workflows/WFL-1/resume') return { status: 200, body: { ...workflow, status: 'RUNNING' } };
      if (req.url === '/api/v1/workflows/WFL-1/cancel') return { status: 200, body: { ...workflow, status: 'CANCELLED', eta: null } };
      return { status: 200, body: workflow };
    }, { 'x-orch-seq': '5' });
  });
  afterAll(() => gateway.close());

  const run = async (...args: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(['--url', gateway.url, ...args], { io: { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } }, env: {} });
    return { code, stdout, stderr, last: gateway.requests[gateway.requests.length - 1]! };
  };

  it('creates a plan with parameters and prints its tasks, estimates and figures', async () => {
    const r = await run('plan', 'create', 'feature', 'Ship', '--param', 'feature=dark mode', '--param', 'component=web', '--sprint', 'SPR-1');
    expect(r.code).toBe(0);
    expect(r.last).toMatchObject({ method: 'POST', url: '/api/v1/plans', body: { template: 'feature', goal: 'Ship', params: { feature: 'dark mode', component: 'web' }, sprintCode: 'SPR-1' } });
    expect(r.stdout).toContain('learned (n=3)');
    expect(r.stdout).toMatch(/critical path\s+40 min: a → b/);
    expect(r.stdout).toContain('warning PLAN.AGENTS_UNKNOWN');
  });

  it('lists the templates with their parameters', async () => {
    const r = await run('plan', 'templates');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/bug_fix\s+5\s+bug \(required\), component=the app\s+Fix a bug/);
  });

  it('validates a DAG from a file and exits 1 when it is not one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orch-plan-'));
    writeFileSync(join(dir, 'ok.json'), JSON.stringify({ tasks: [{ id: 'a', title: 'A', estimateMinutes: 5, dependsOn: [] }, { id: 'b', title: 'B', estimateMinutes: 5, dependsOn: ['a'] }] }));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify([{ id: 'a', title: 'A', estimateMinutes: 5, dependsOn: ['b'] }, { id: 'b', title: 'B', estimateMinutes: 5, dependsOn: ['a'] }]));
    writeFileSync(join(dir, 'broken.json'), '{"tasks": [');
    expect((await run('plan', 'validate', join(dir, 'ok.json'))).code).toBe(0);
    const bad = await run('plan', 'validate', join(dir, 'bad.json'), '--agents', '2');
    expect(bad.code).toBe(1);
    expect(bad.last.body).toMatchObject({ agents: 2, tasks: [{ id: 'a' }, { id: 'b' }] });
    expect(bad.stdout).toContain('error DAG.CYCLE: Dependency cycle: a → b → a');
    const broken = await run('plan', 'validate', join(dir, 'broken.json'));
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('broken.json');
  });

  it('lists plans and workflows with their filters, and says how to get the next page', async () => {
    const plans = await run('plan', 'list', '--sprint', 'SPR-1', '--status', 'proposed', '--limit', '1');
    expect(plans.code).toBe(0);
    expect(plans.last).toMatchObject({ method: 'GET' });
    expect(new URL(plans.last.url, 'http://x').searchParams.toString()).toBe('sprint=SPR-1&status=PROPOSED&limit=1');
    expect(plans.stdout).toMatch(/PLN-ABC\s+PROPOSED\s+SPR-1\s+feature\s+10\s+405m\s+2026-11-24 16:18\s+Ship dark mode/);
    expect(plans.stderr).toBe('more: orch plan list --after 41\n');
    const workflows = await run('workflow', 'list', '--status', 'running');
    expect(workflows.stdout).toMatch(/WFL-1\s+RUNNING\s+PLN-ABC\s+4\/10\s+1\s+2026-11-24 16:19/);
    expect(workflows.stderr).toBe('');
    expect(JSON.parse((await run('workflow', 'list', '--plan', 'PLN-ABC', '--json')).stdout)).toEqual({ items: [workflowSummary], nextCursor: null });
    const wrong = await run('plan', 'list', '--status', 'done');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('PROPOSED');
  });

  it('accepts a plan into a sprint, and starts, shows and pauses a workflow', async () => {
    expect((await run('plan', 'accept', 'PLN-ABC', '--sprint', 'SPR-9')).last).toMatchObject({ url: '/api/v1/plans/PLN-ABC/accept', body: { sprintCode: 'SPR-9' } });
    const start = await run('workflow', 'start', '--plan', 'PLN-ABC', '--max-attempts', '2', '--backoff', '0');
    expect(start.last).toMatchObject({ url: '/api/v1/workflows', body: { planId: 'PLN-ABC', retry: { maxAttempts: 2, backoffMs: 0 } } });
    const pause = await run('workflow', 'pause', 'WFL-1', '--reason', 'freeze');
    expect(pause.last).toMatchObject({ method: 'POST', url: '/api/v1/workflows/WFL-1/pause', body: { reason: 'freeze' } });
    expect(pause.stdout).toMatch(/progress\s+50%/);
    expect(pause.stdout).toContain('TSK-1: 2 of 3');
  });

  it('shows a workflow: status, counts, progress, remaining critical path, ETA, retry policy and runs made', async () => {
    const r = await run('workflow', 'show', 'WFL-1');
    expect(r.code).toBe(0);
    expect(r.last).toMatchObject({ method: 'GET', url: '/api/v1/workflows/WFL-1' });
    expect(r.stdout).toMatch(/status\s+PAUSED/);
    expect(r.stdout).toMatch(/tasks\s+2 \(READY 1, BACKLOG 1\)/);
    expect(r.stdout).toMatch(/remaining\s+20 min of effort; critical path 20 min: TSK-2/);
    expect(r.stdout).toMatch(/eta\s+2026-01-01T00:20:00.000Z/);
    expect(r.stdout).toMatch(/retry\s+up to 3 runs a task, backoff 1000 ms doubling to at most 10000 ms/);
    expect(r.stdout).toMatch(/runs made\s+TSK-1: 2 of 3/);
    expect(JSON.parse((await run('workflow', 'show', 'WFL-1', '--json')).stdout)).toEqual(workflow);
  });

  it('resumes and cancels a workflow with a reason, printing its new status', async () => {
    const resume = await run('workflow', 'resume', 'WFL-1');
    expect(resume.code).toBe(0);
    expect(resume.last).toMatchObject({ method: 'POST', url: '/api/v1/workflows/WFL-1/resume', body: {} });
    expect(resume.stdout).toMatch(/status\s+RUNNING/);
    const cancel = await run('workflow', 'cancel', 'WFL-1', '--reason', 'scope cut');
    expect(cancel.code).toBe(0);
    expect(cancel.last).toMatchObject({ method: 'POST', url: '/api/v1/workflows/WFL-1/cancel', body: { reason: 'scope cut' } });
    expect(cancel.stdout).toMatch(/status\s+CANCELLED/);
    expect(JSON.parse((await run('workflow', 'cancel', 'WFL-1', '--json')).stdout)).toMatchObject({ id: 'WFL-1', status: 'CANCELLED' });
  });

  it('says why a workflow cannot be shown or cancelled, with the exit code of the problem', async () => {
    const missing = await run('workflow', 'show', 'WFL-NOPE');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('WORKFLOW.NOT_FOUND');
    expect(missing.stderr).toContain('Workflow WFL-NOPE does not exist');
    const finished = await run('workflow', 'cancel', 'WFL-DONE');
    expect(finished.code).toBe(3);
    expect(finished.stderr).toContain('WORKFLOW.FINISHED');
    expect(finished.stderr).toContain('it cannot be cancelled');
    expect((await run('workflow', 'resume')).code).toBe(2); // the id is required
  });

  it('refuses a workflow over both or neither a plan and a sprint (exit 2)', async () => {
    expect((await run('workflow', 'start')).code).toBe(2);
    expect((await run('workflow', 'start', '--plan', 'PLN-A', '--sprint', 'SPR-1')).code).toBe(2);
    expect((await run('plan', 'create', 'feature', 'x', '--param', 'oops')).code).toBe(2);
  });
});
