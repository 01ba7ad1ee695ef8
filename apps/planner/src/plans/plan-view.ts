import type { PlanView } from '@orch/contracts';
import type { Plan } from './plan';

/** The plan as the API shows it: each task with the code it was accepted as (null until then). */
export function planViewFromState(p: Plan): PlanView {
  return {
    id: p.id,
    goal: p.goal,
    template: p.template,
    params: p.params,
    decomposer: p.decomposer,
    status: p.status,
    sprintCode: p.sprintCode,
    tasks: p.tasks.map((t) => ({ ...t, taskCode: p.taskCodes[t.id] ?? null })),
    analysis: p.analysis,
    version: p.version,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}
