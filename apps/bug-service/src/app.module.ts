import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ProjectionCheckpoints1700000000000 } from '@orch/projections';
import { ServiceKitModule, type Infrastructure, type ServiceSpec } from '@orch/service-kit';
import { GetBugHandler, ListBugsHandler } from './bugs/bug.queries';
import { BugRepository } from './bugs/bug.repository';
import { BugRpc } from './bugs/bug.rpc';
import { LogBugHandler } from './bugs/log-bug';
import { ResolveBugHandler } from './bugs/resolve-bug';
import { TaskCheck } from './bugs/task-check';
import { bugProjection } from './read-model/bug.projection';
import { BugReadModel } from './read-model/bug-read-model';
import { OrchestrationBug } from './read-model/entities';
import { BugReadModel1700000000400 } from './read-model/migrations/1700000000400-bug-read-model';

/**
 * The bug log: normalisation, fingerprints, dedup, classification, occurrences, resolve and regress (SPEC §4.4).
 * It joins NATS, ensures the event stream, answers its health subject (`<prefix>.health.bug-service`)
 * and the bug routes (`BugRoutes`).
 */
@Module({})
export class BugServiceModule {
  static forRoot(infra: Infrastructure): DynamicModule {
    return {
      module: BugServiceModule,
      imports: [ServiceKitModule.forRoot(infra), CqrsModule.forRoot()],
      providers: [BugRepository, BugReadModel, BugRpc, TaskCheck, LogBugHandler, ResolveBugHandler, GetBugHandler, ListBugsHandler],
    };
  }
}

/** What `main.ts` runs, and what the tests start in-process with an isolated environment. */
export const bugServiceService: ServiceSpec = {
  service: 'bug-service',
  module: (infra) => BugServiceModule.forRoot(infra),
  database: {
    entities: [OrchestrationBug],
    migrations: [ProjectionCheckpoints1700000000000, BugReadModel1700000000400],
  },
  projections: [bugProjection],
};
