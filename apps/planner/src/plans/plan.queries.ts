import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Actor, ListPlansQuery, PlanAnalysis, PlanPage, PlanView, TemplateList, ValidateDagBody } from '@orch/contracts';
import { NotFoundError } from '@orch/errors';
import { AgentDirectory } from '../agents/agent-directory';
import { PlanReadModel } from '../read-model/plan-read-model';
import { PLANNER_SETTINGS, type PlannerSettings } from '../settings/planner-settings';
import { analyseDag } from './graph/analyse';
import { planningContext } from './planning-context';
import { DECOMPOSER, type Decomposer } from './templates/decomposer';

export class GetPlan extends Query<PlanView> {
  constructor(readonly id: string) {
    super();
  }
}

export class ListPlans extends Query<PlanPage> {
  constructor(readonly query: ListPlansQuery) {
    super();
  }
}

@QueryHandler(ListPlans)
export class ListPlansHandler implements IQueryHandler<ListPlans> {
  constructor(private readonly plans: PlanReadModel) {}

  execute({ query }: ListPlans): Promise<PlanPage> {
    return this.plans.list(query);
  }
}

export class ListTemplates extends Query<TemplateList> {}

@QueryHandler(ListTemplates)
export class ListTemplatesHandler implements IQueryHandler<ListTemplates> {
  constructor(@Inject(DECOMPOSER) private readonly decomposer: Decomposer) {}

  async execute(): Promise<TemplateList> {
    return { decomposer: this.decomposer.name, items: this.decomposer.templates() };
  }
}

export class ValidateDag extends Query<PlanAnalysis> {
  constructor(
    readonly body: ValidateDagBody,
    readonly actor: Actor,
    readonly correlationId: string,
  ) {
    super();
  }
}

@QueryHandler(GetPlan)
export class GetPlanHandler implements IQueryHandler<GetPlan> {
  constructor(private readonly plans: PlanReadModel) {}

  async execute({ id }: GetPlan): Promise<PlanView> {
    const plan = await this.plans.get(id);
    if (!plan) throw new NotFoundError('PLAN.NOT_FOUND', `Plan ${id} does not exist`);
    return plan;
  }
}

/** The checks and figures of `POST /plans` (same agents, pricing and warnings) on a DAG the caller sends; nothing is written. */
@QueryHandler(ValidateDag)
export class ValidateDagHandler implements IQueryHandler<ValidateDag> {
  constructor(
    private readonly agents: AgentDirectory,
    @Inject(PLANNER_SETTINGS) private readonly settings: PlannerSettings,
  ) {}

  async execute({ body, actor, correlationId }: ValidateDag): Promise<PlanAnalysis> {
    // The agent manager is asked only for what the caller did not fix: how many agents, their
    // cost, and the capabilities the tasks need. A DAG that fixes the first two and needs none
    // is checked without it.
    const needsAgents = body.agents === undefined || body.costPerHour === undefined || body.tasks.some((t) => t.requiredCapabilities?.length);
    const agents = needsAgents ? await this.agents.available(actor, correlationId) : [];
    return analyseDag(body.tasks, planningContext(agents, body, this.settings.plans.costPerHour));
  }
}
