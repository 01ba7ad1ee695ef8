import { ProjectionCheckpoints1700000000000 } from '@orch/projections';
import type { ServiceSpec } from '@orch/service-kit';
import { PlannerModule } from './planner.module';
import { OrchestrationSprint, OrchestrationTask } from './read-model/entities';
import { PlannerReadModel1700000000100 } from './read-model/migrations/1700000000100-planner-read-model';
import { PlansAndWorkflows1700000000110 } from './read-model/migrations/1700000000110-plans-and-workflows';
import { WorkflowRunner1700000000120 } from './read-model/migrations/1700000000120-workflow-runner';
import { WorkflowRunnerStatus1700000000130 } from './read-model/migrations/1700000000130-workflow-runner-status';
import { PlanTaskActiveTime1700000000140 } from './read-model/migrations/1700000000140-plan-task-active-time';
import { WorkflowDependentsIndex1700000000150 } from './read-model/migrations/1700000000150-workflow-dependents-index';
import { plannerProjection } from './read-model/planner.projection';
import { plansProjection } from './read-model/plans.projection';

/** The planner as a runnable service: its module, its tables and its projection. */
export const plannerService: ServiceSpec = {
  service: 'planner',
  module: (infra) => PlannerModule.register(infra),
  database: {
    entities: [OrchestrationSprint, OrchestrationTask],
    migrations: [ProjectionCheckpoints1700000000000, PlannerReadModel1700000000100, PlansAndWorkflows1700000000110, WorkflowRunner1700000000120, WorkflowRunnerStatus1700000000130, PlanTaskActiveTime1700000000140, WorkflowDependentsIndex1700000000150],
  },
  // The workflow process manager registers its own runner (it needs Nest providers to send commands).
  projections: [plannerProjection, plansProjection],
};
