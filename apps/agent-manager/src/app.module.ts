import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceKitModule, type Infrastructure, type ServiceSpec } from '@orch/service-kit';

/**
 * Agent registry, heartbeats and liveness, capability matching, assignment, quotas and spawning (SPEC §4.3).
 * The features arrive as vertical slices imported here; until then the service joins NATS,
 * ensures the event stream and answers its health subject (`<prefix>.health.agent-manager`).
 */
@Module({})
export class AgentManagerModule {
  static forRoot(infra: Infrastructure): DynamicModule {
    return { module: AgentManagerModule, imports: [ServiceKitModule.forRoot(infra)] };
  }
}

/** What `main.ts` runs, and what the tests start in-process with an isolated environment. */
export const agentManagerService: ServiceSpec = {
  service: 'agent-manager',
  module: (infra) => AgentManagerModule.forRoot(infra),
};
