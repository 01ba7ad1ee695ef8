import { ProjectionCheckpoints1700000000000 } from '@orch/projections';
import type { ServiceSpec } from '@orch/service-kit';
import { PlannerModule } from './planner.module';
import { OrchestrationSprint, OrchestrationTask } from './read-model/entities';
import { PlannerReadModel1700000000100 } from './read-model/migrations/1700000000100-planner-read-model';
import { plannerProjection } from './read-model/planner.projection';

/** The planner as a runnable service: its module, its tables and its projection. */
export const plannerService: ServiceSpec = {
  service: 'planner',
  module: (infra) => PlannerModule.register(infra),
  database: {
    entities: [OrchestrationSprint, OrchestrationTask],
    migrations: [ProjectionCheckpoints1700000000000, PlannerReadModel1700000000100],
  },
  projections: [plannerProjection],
};
