import { createHash } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { StartWorkflowBody, WorkflowView } from '@orch/contracts';
import { ConflictError, NotFoundError, RuleViolation } from '@orch/errors';
import type { CommandMeta } from '@orch/event-store';
import type { HandlerResult } from '@orch/messaging';
import { ProjectionHost } from '@orch/service-kit';
import { PlanRepository } from '../plans/plan.repository';
import { TaskReadModel } from '../read-model/task-read-model';
import { PLANNER_SETTINGS, type PlannerSettings } from '../settings/planner-settings';
import { SprintRepository } from '../sprints/sprint.repository';
import { decide, type Workflow } from './workflow';
import { WorkflowReadModel } from './workflow-read-model';
import { WorkflowRepository } from './workflow.repository';
import { workflowStatus } from './workflow-status';

export class StartWorkflow extends Command<HandlerResult<WorkflowView>> {
  constructor(
    readonly body: StartWorkflowBody,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}

export const workflowIdFor = (commandId: string) => `WFL-${createHash('sha256').update(commandId).digest('hex').slice(0, 10).toUpperCase()}`;

/**
 * Starts running an accepted plan's tasks, or a sprint's. The tasks' readiness is then the
 * process manager's business (it reacts to `orchestration.workflow.started`).
 */
@CommandHandler(StartWorkflow)
export class StartWorkflowHandler implements ICommandHandler<StartWorkflow> {
  constructor(
    private readonly workflows: WorkflowRepository,
    private readonly plans: PlanRepository,
    private readonly sprints: SprintRepository,
    private readonly tasks: TaskReadModel,
    private readonly readModel: WorkflowReadModel,
    private readonly projections: ProjectionHost,
    @Inject(PLANNER_SETTINGS) private readonly settings: PlannerSettings,
  ) {}

  async execute({ body, meta }: StartWorkflow): Promise<HandlerResult<WorkflowView>> {
    const id = workflowIdFor(meta.commandId);
    const existing = await this.workflows.load(id);
    if (existing.commands.has(meta.commandId)) return { value: await this.view(existing.state!), seq: existing.commands.get(meta.commandId) };
    const { planId, sprintCode, taskCodes } = body.planId ? await this.fromPlan(body.planId) : await this.fromSprint(body.sprintCode!);
    const active = await this.readModel.activeOver(planId, sprintCode);
    if (active) throw new ConflictError('WORKFLOW.ALREADY_RUNNING', `Workflow ${active} already runs over ${planId ?? sprintCode}; cancel it first`, { workflowId: active });
    const retry = { ...this.settings.workflow.retry, ...body.retry };
    const result = await this.workflows.execute(id, meta, (s) => decide({ type: 'StartWorkflow', workflow: { id, planId, sprintCode, taskCodes, retry } }, s), { expectNew: true });
    return { value: await this.view(result.state!), seq: result.seq };
  }

  private async fromPlan(planId: string) {
    const plan = (await this.plans.load(planId)).state;
    if (!plan) throw new NotFoundError('PLAN.NOT_FOUND', `Plan ${planId} does not exist`);
    if (plan.status !== 'ACCEPTED') {
      throw new RuleViolation('PLAN.NOT_ACCEPTED', `Plan ${planId} is not accepted yet: it has no tasks to run`, [{ kind: 'plan', name: planId, hint: `POST /plans/${planId}/accept first` }]);
    }
    return { planId, sprintCode: plan.sprintCode, taskCodes: Object.values(plan.taskCodes) };
  }

  private async fromSprint(sprintCode: string) {
    if (!(await this.sprints.load(sprintCode)).state) throw new NotFoundError('SPRINT.NOT_FOUND', `Sprint ${sprintCode} does not exist`);
    // The sprint's tasks come from the read model: let it catch up with the log first.
    const planner = this.projections.get('planner');
    await planner?.catchUp(2_000).catch(() => undefined);
    const taskCodes: string[] = [];
    for (let after: string | undefined; ; ) {
      const page = await this.tasks.list({ sprint: sprintCode, limit: 500, after });
      taskCodes.push(...page.items.map((t) => t.code));
      if (!page.nextCursor) break;
      after = page.nextCursor;
    }
    return { planId: null, sprintCode, taskCodes };
  }

  private async view(w: Workflow): Promise<WorkflowView> {
    return workflowStatus(w, await this.readModel.tasks(w.taskCodes), {}, new Date());
  }
}
