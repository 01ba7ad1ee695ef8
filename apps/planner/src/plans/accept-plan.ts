import { createHash } from 'node:crypto';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { AcceptPlanBody, PlanView } from '@orch/contracts';
import { ConflictError, NotFoundError } from '@orch/errors';
import type { CommandMeta } from '@orch/event-store';
import type { HandlerResult } from '@orch/messaging';
import { decide as decideSprint } from '../sprints/sprint';
import { SprintRepository } from '../sprints/sprint.repository';
import { decide as decideTask } from '../tasks/task';
import { TaskFactsReader } from '../tasks/task-facts';
import { TaskRepository } from '../tasks/task.repository';
import { indexGraph, topologicalOrder } from './graph/dag';
import { layersOf } from './graph/layers';
import { decide, type Plan } from './plan';
import { PlanRepository } from './plan.repository';
import { planViewFromState } from './plan-view';

/** Tasks created at once within a layer: enough to hide round trips, few enough not to flood the log. */
const PARALLEL_CREATES = 16;

export class AcceptPlan extends Command<HandlerResult<PlanView>> {
  constructor(
    readonly id: string,
    readonly body: AcceptPlanBody,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}

/** A command id derived from the plan and what it creates: a retried accept writes nothing twice. */
const derivedId = (...parts: string[]) => {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

/**
 * One request: the plan records its acceptance (with the task codes), then its tasks are created
 * layer by layer (dependencies first) in the sprint (created first if it does not exist). Every write has a
 * command id derived from the plan, so a retry — or an accept interrupted half-way and sent
 * again — completes the same tasks and duplicates none.
 */
@CommandHandler(AcceptPlan)
export class AcceptPlanHandler implements ICommandHandler<AcceptPlan> {
  constructor(
    private readonly plans: PlanRepository,
    private readonly sprints: SprintRepository,
    private readonly tasks: TaskRepository,
    private readonly facts: TaskFactsReader,
  ) {}

  async execute({ id, body, meta }: AcceptPlan): Promise<HandlerResult<PlanView>> {
    const current = (await this.plans.load(id)).state;
    if (!current) throw new NotFoundError('PLAN.NOT_FOUND', `Plan ${id} does not exist`);
    const sprintCode = body.sprintCode ?? current.sprintCode;
    if (sprintCode && current.status === 'PROPOSED') await this.ensureSprint(current, sprintCode, meta);
    const accepted = await this.plans.execute(id, meta, (state) => decide({ type: 'AcceptPlan', id, sprintCode: body.sprintCode ?? null }, state));
    const plan = accepted.state!;
    let seq = accepted.seq;
    // Layer by layer (a task's dependencies are all in earlier layers), a few tasks at a time.
    for (const layer of inLayers(plan)) {
      for (let i = 0; i < layer.length; i += PARALLEL_CREATES) {
        const seqs = await Promise.all(layer.slice(i, i + PARALLEL_CREATES).map((task) => this.createTask(plan, task, meta)));
        seq = Math.max(seq, ...seqs);
      }
    }
    return { value: planViewFromState(plan), seq };
  }

  private async ensureSprint(plan: Plan, code: string, meta: CommandMeta): Promise<void> {
    if ((await this.sprints.load(code)).state) return;
    const title = `${plan.template}: ${plan.goal}`.slice(0, 200);
    await this.sprints
      .execute(code, { ...meta, commandId: derivedId(plan.id, 'sprint', code), expectedVersion: undefined }, (s) => decideSprint({ type: 'CreateSprint', sprint: { code, title, goal: plan.goal } }, s))
      .catch((error) => {
        if (!(error instanceof ConflictError)) throw error; // someone created it meanwhile: fine
      });
  }

  private async createTask(plan: Plan, t: Plan['tasks'][number], meta: CommandMeta): Promise<number> {
    const code = plan.taskCodes[t.id]!;
    const dependsOn = t.dependsOn.map((d) => plan.taskCodes[d]!);
    const body = {
      code,
      sprintCode: plan.sprintCode!,
      title: t.title,
      description: [t.description, `From plan ${plan.id} (step ${t.step}, estimate: ${t.estimateLabel}).`].filter(Boolean).join('\n\n'),
      type: t.type,
      priority: t.priority,
      estimateMinutes: Math.max(1, t.estimateMinutes),
      requiredCapabilities: t.requiredCapabilities,
      dependsOn,
    };
    const taskMeta = { ...meta, commandId: derivedId(plan.id, 'task', t.id), causationId: meta.commandId, expectedVersion: undefined };
    const loaded = await this.tasks.load(code);
    if (loaded.commands.has(taskMeta.commandId)) return loaded.commands.get(taskMeta.commandId)!;
    const facts = await this.facts.gather(code, { sprintCode: body.sprintCode, dependsOn });
    return (await this.tasks.execute(code, taskMeta, (state) => decideTask({ type: 'CreateTask', task: body, facts }, state))).seq;
  }
}

function inLayers(plan: Plan): Array<Plan['tasks']> {
  const g = indexGraph(plan.tasks);
  const byId = new Map(plan.tasks.map((t) => [t.id, t]));
  return layersOf(g, topologicalOrder(g))!.map((ids) => ids.map((id) => byId.get(id)!));
}
