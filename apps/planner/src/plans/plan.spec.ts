import type { PlanAnalysis, PlanEvent } from '@orch/contracts';
import { ConflictError, NotFoundError, RuleViolation } from '@orch/errors';
import { deciderSpec } from '@orch/testing';
import { decide, evolve, initialState, taskCodesFor } from './plan';

const spec = deciderSpec({ initialState, evolve, decide });
const analysis = (over: Partial<PlanAnalysis> = {}): PlanAnalysis => ({
  valid: true, errors: [], warnings: [], taskCount: 2, layers: [['a'], ['b']], criticalPath: ['a', 'b'], criticalPathMinutes: 20,
  totalEffortMinutes: 20, agents: 1, wallClockMinutes: 20, costPerHour: 5, estimatedCost: 1.67, slackMinutes: { a: 0, b: 0 }, ...over,
});
const task = (id: string, dependsOn: string[] = []) => ({ id, title: id, description: '', type: 'feature', priority: 'MEDIUM' as const, estimateMinutes: 10, estimateSource: 'template' as const, estimateLabel: 'template', templateEstimateMinutes: 10, requiredCapabilities: [], dependsOn, step: `feature.main.${id}` });
const plan = (over: object = {}) => ({ id: 'PLN-00AB', goal: 'Ship', template: 'feature', params: {}, decomposer: 'template', sprintCode: null, tasks: [task('a'), task('b', ['a'])], analysis: analysis(), ...over });
const created = (over: object = {}): PlanEvent => ({ type: 'orchestration.plan.created', data: plan(over) });
const accepted: PlanEvent = { type: 'orchestration.plan.accepted', data: { sprintCode: 'SPR-1', taskCodes: { a: 'TSK-00AB-01', b: 'TSK-00AB-02' } } };

describe('a plan', () => {
  describe('when it does not exist', () => {
    it('is created as proposed', () => {
      spec.given([]).when({ type: 'CreatePlan', plan: plan() }).then([created()]);
    });

    it('cannot be created from a decomposition that is not a DAG, naming the problem', () => {
      const bad = analysis({ valid: false, errors: [{ code: 'DAG.CYCLE', message: 'Dependency cycle: a → b → a', taskIds: ['a', 'b', 'a'] }] });
      const e = spec.given([]).when({ type: 'CreatePlan', plan: plan({ analysis: bad }) }).thenThrows(RuleViolation, 'PLAN.INVALID');
      expect(e.message).toContain('Dependency cycle: a → b → a');
    });

    it('cannot be accepted', () => {
      spec.given([]).when({ type: 'AcceptPlan', id: 'PLN-X', sprintCode: 'SPR-1' }).thenThrows(NotFoundError, 'PLAN.NOT_FOUND');
    });
  });

  describe('when proposed', () => {
    it('is accepted into a sprint with a task code per task, in plan order', () => {
      spec.given([created()]).when({ type: 'AcceptPlan', id: 'PLN-00AB', sprintCode: 'SPR-1' }).then([accepted]);
    });

    it('is accepted into the sprint it was planned for when none is named', () => {
      spec.given([created({ sprintCode: 'SPR-1' })]).when({ type: 'AcceptPlan', id: 'PLN-00AB', sprintCode: null }).then([accepted]);
    });

    it('needs a sprint', () => {
      spec.given([created()]).when({ type: 'AcceptPlan', id: 'PLN-00AB', sprintCode: null }).thenThrows(RuleViolation, 'PLAN.SPRINT_REQUIRED');
    });

    it('refuses a second creation', () => {
      spec.given([created()]).when({ type: 'CreatePlan', plan: plan() }).thenThrows(ConflictError, 'PLAN.EXISTS');
    });
  });

  describe('when accepted', () => {
    it('accepts again into the same sprint as a no-op', () => {
      spec.given([created(), accepted]).when({ type: 'AcceptPlan', id: 'PLN-00AB', sprintCode: null }).then([]);
      spec.given([created(), accepted]).when({ type: 'AcceptPlan', id: 'PLN-00AB', sprintCode: 'SPR-1' }).then([]);
    });

    it('refuses another sprint', () => {
      spec.given([created(), accepted]).when({ type: 'AcceptPlan', id: 'PLN-00AB', sprintCode: 'SPR-2' }).thenThrows(ConflictError, 'PLAN.ALREADY_ACCEPTED');
    });
  });

  it('numbers task codes wide enough for the plan', () => {
    const codes = taskCodesFor({ id: 'PLN-7', tasks: Array.from({ length: 120 }, (_, i) => task(`t${i}`)) });
    expect([codes.t0, codes.t119]).toEqual(['TSK-7-001', 'TSK-7-120']);
  });
});
