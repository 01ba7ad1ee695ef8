import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceKitModule, type Infrastructure, type ServiceSpec } from '@orch/service-kit';

/**
 * The bug log: normalisation, fingerprints, dedup, classification, occurrences, resolve and regress (SPEC §4.4).
 * The features arrive as vertical slices imported here; until then the service joins NATS,
 * ensures the event stream and answers its health subject (`<prefix>.health.bug-service`).
 */
@Module({})
export class BugServiceModule {
  static forRoot(infra: Infrastructure): DynamicModule {
    return { module: BugServiceModule, imports: [ServiceKitModule.forRoot(infra)] };
  }
}

/** What `main.ts` runs, and what the tests start in-process with an isolated environment. */
export const bugServiceService: ServiceSpec = {
  service: 'bug-service',
  module: (infra) => BugServiceModule.forRoot(infra),
};
