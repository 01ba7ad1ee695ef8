import { createHash } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CreatePlanBody, PlanTask, PlanView } from '@orch/contracts';
import type { CommandMeta } from '@orch/event-store';
import type { HandlerResult } from '@orch/messaging';
import { AgentDirectory } from '../agents/agent-directory';
import { LearnedEstimates } from '../estimates/learned-estimates';
import { PLANNER_SETTINGS, type PlannerSettings } from '../settings/planner-settings';
import { analyseDag } from './graph/analyse';
import { decide } from './plan';
import { PlanRepository } from './plan.repository';
import { planViewFromState } from './plan-view';
import { planningContext } from './planning-context';
import { DECOMPOSER, type DecomposedTask, type Decomposer } from './templates/decomposer';

export class CreatePlan extends Command<HandlerResult<PlanView>> {
  constructor(
    readonly body: CreatePlanBody,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}

/** A plan id derived from the command id: a retried POST lands on the same plan. */
export const planIdFor = (commandId: string) => `PLN-${createHash('sha256').update(commandId).digest('hex').slice(0, 10).toUpperCase()}`;

/**
 * Goal → tasks (the decomposer port) → learned estimates → validation and optimisation, with
 * the capability check against the registered agents (a warning; a note when the agent manager
 * does not answer) → one `orchestration.plan.created`.
 */
@CommandHandler(CreatePlan)
export class CreatePlanHandler implements ICommandHandler<CreatePlan> {
  constructor(
    @Inject(DECOMPOSER) private readonly decomposer: Decomposer,
    @Inject(PLANNER_SETTINGS) private readonly settings: PlannerSettings,
    private readonly plans: PlanRepository,
    private readonly estimates: LearnedEstimates,
    private readonly agents: AgentDirectory,
  ) {}

  async execute({ body, meta }: CreatePlan): Promise<HandlerResult<PlanView>> {
    const id = planIdFor(meta.commandId);
    const existing = await this.plans.load(id);
    if (existing.commands.has(meta.commandId)) return { value: planViewFromState(existing.state!), seq: existing.commands.get(meta.commandId) };
    const decomposed = await this.decomposer.decompose({ goal: body.goal, template: body.template, params: body.params ?? {} });
    const tasks = await this.withEstimates(decomposed);
    const agents = await this.agents.available(meta.actor, meta.correlationId);
    const analysis = analyseDag(tasks, planningContext(agents, { agents: body.agents }, this.settings.plans.costPerHour));
    const plan = { id, goal: body.goal, template: body.template, params: body.params ?? {}, decomposer: this.decomposer.name, sprintCode: body.sprintCode ?? null, tasks, analysis };
    const result = await this.plans.execute(id, meta, (state) => decide({ type: 'CreatePlan', plan }, state), { expectNew: true });
    return { value: planViewFromState(result.state!), seq: result.seq };
  }

  private async withEstimates(tasks: DecomposedTask[]): Promise<PlanTask[]> {
    const learned = await this.estimates.forSteps(tasks.map((t) => t.step));
    return tasks.map((t) => {
      const l = learned.get(t.step);
      return {
        ...t,
        estimateMinutes: l?.minutes ?? t.estimateMinutes,
        estimateSource: l ? 'learned' : 'template',
        estimateLabel: l ? `learned (n=${l.samples})` : 'template',
        templateEstimateMinutes: t.estimateMinutes,
      };
    });
  }
}
