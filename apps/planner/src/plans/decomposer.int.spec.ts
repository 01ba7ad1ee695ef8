import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { PlannerRoutes, PlanRoutes, type RpcMeta, type RpcRoute, type TemplateSummary } from '@orch/contracts';
import { ValidationError } from '@orch/errors';
import { RpcClient } from '@orch/messaging';
import { startService, type RunningService, type ServiceSpec } from '@orch/service-kit';
import { isolatedEnv, type IsolatedEnv } from '@orch/testing';
import { plannerService } from '../planner';
import { DECOMPOSER, type DecomposeRequest, type DecomposedTask, type Decomposer } from './templates/decomposer';

const Routes = { ...PlannerRoutes, ...PlanRoutes };
type R = typeof Routes;

/**
 * Stands in for an LLM (which we cannot run here): it reads the goal as steps joined by "then"
 * and plans them as a chain, an hour each. A real LLM decomposer would be bound the same way.
 */
class ScriptedDecomposer implements Decomposer {
  readonly name = 'scripted-llm';
  readonly requests: DecomposeRequest[] = [];

  async decompose(request: DecomposeRequest): Promise<DecomposedTask[]> {
    this.requests.push(request);
    if (request.template !== 'freeform') throw new ValidationError('PLAN.UNKNOWN_TEMPLATE', `scripted-llm only plans freeform goals, not ${request.template}`, []);
    const steps = request.goal.split(/\s+then\s+/i);
    return steps.map((title, i) => ({
      id: `s${i + 1}`,
      title,
      description: `Step ${i + 1} of "${request.goal}"`,
      type: 'feature',
      priority: 'MEDIUM',
      estimateMinutes: 60,
      requiredCapabilities: [],
      dependsOn: i ? [`s${i}`] : [],
      step: `freeform.step${i + 1}`,
    }));
  }

  templates(): TemplateSummary[] {
    return [{ name: 'freeform', description: 'Any goal, as steps joined by "then"', params: [], methods: [], taskCount: 0 }];
  }
}

describe('the decomposer port (real NATS, Postgres; another decomposer bound to DECOMPOSER)', () => {
  let iso: IsolatedEnv;
  let planner: RunningService;
  let rpc: RpcClient;
  const scripted = new ScriptedDecomposer();
  const call = async <K extends keyof R>(route: K, payload: unknown, over: Partial<RpcMeta> = {}) => {
    const meta: RpcMeta = { actor: { kind: 'human', id: 'ann' }, commandId: randomUUID(), issuedAt: new Date().toISOString(), ...over };
    return rpc.call(Routes[route] as RpcRoute, payload, { meta, correlationId: randomUUID() }) as Promise<{ value: z.infer<R[K]['response']>; seq?: number }>;
  };

  beforeAll(async () => {
    // The planner as it ships, with one more provider for the port: the last binding of a token wins.
    const spec: ServiceSpec = {
      ...plannerService,
      module: (infra) => {
        const m = plannerService.module(infra);
        return { ...m, providers: [...(m.providers ?? []), { provide: DECOMPOSER, useValue: scripted }] };
      },
    };
    iso = isolatedEnv();
    planner = await startService(spec, iso.env);
    rpc = new RpcClient(planner.infra.nc, planner.infra.subjects);
  });

  afterAll(async () => {
    await planner?.close();
    await iso?.cleanup();
  });

  it('plans with the bound decomposer: its tasks, analysed and recorded under its name, and accepted like any plan', async () => {
    const { value: plan } = await call('createPlan', { goal: 'Sketch the screens then Build them then Ship them', template: 'freeform', sprintCode: 'SPR-LLM' });
    expect(scripted.requests).toEqual([{ goal: 'Sketch the screens then Build them then Ship them', template: 'freeform', params: {} }]);
    expect(plan).toMatchObject({ decomposer: 'scripted-llm', template: 'freeform', status: 'PROPOSED' });
    expect(plan.tasks.map((t) => [t.id, t.title, t.dependsOn, t.estimateLabel])).toEqual([
      ['s1', 'Sketch the screens', [], 'template'],
      ['s2', 'Build them', ['s1'], 'template'],
      ['s3', 'Ship them', ['s2'], 'template'],
    ]);
    expect(plan.analysis).toMatchObject({ valid: true, criticalPath: ['s1', 's2', 's3'], criticalPathMinutes: 180, layers: [['s1'], ['s2'], ['s3']] });

    const { value: accepted, seq } = await call('acceptPlan', { id: plan.id, body: {} });
    const first = await call('getTask', { code: accepted.tasks[0]!.taskCode! }, { minSeq: seq });
    expect(first.value).toMatchObject({ title: 'Sketch the screens', sprintCode: 'SPR-LLM', estimateMinutes: 60 });
  });

  it('lists what the bound decomposer knows, under its name', async () => {
    const { value } = await call('listTemplates', {});
    expect(value).toEqual({ decomposer: 'scripted-llm', items: [expect.objectContaining({ name: 'freeform' })] });
  });

  it("passes on the decomposer's refusal as the caller's error, writing nothing", async () => {
    const before = await planner.infra.store.lastSeq();
    await expect(call('createPlan', { goal: 'x', template: 'feature', params: { feature: 'x' } })).rejects.toMatchObject({ code: 'PLAN.UNKNOWN_TEMPLATE' });
    expect(await planner.infra.store.lastSeq()).toBe(before);
  });
});
