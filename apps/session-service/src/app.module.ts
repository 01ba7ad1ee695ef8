import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceKitModule, type Infrastructure, type ServiceSpec } from '@orch/service-kit';

/**
 * Work sessions: the phase state machine, gates and overrides, instructions, resume briefings, time and git tracking (SPEC §4.1).
 * The features arrive as vertical slices imported here; until then the service joins NATS,
 * ensures the event stream and answers its health subject (`<prefix>.health.session-service`).
 */
@Module({})
export class SessionServiceModule {
  static forRoot(infra: Infrastructure): DynamicModule {
    return { module: SessionServiceModule, imports: [ServiceKitModule.forRoot(infra)] };
  }
}

/** What `main.ts` runs, and what the tests start in-process with an isolated environment. */
export const sessionServiceService: ServiceSpec = {
  service: 'session-service',
  module: (infra) => SessionServiceModule.forRoot(infra),
};
