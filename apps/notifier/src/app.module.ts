import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceKitModule, type Infrastructure, type ServiceSpec } from '@orch/service-kit';

/**
 * Webhook subscriptions, Slack/Discord/Standard Webhooks deliveries, retries and dead letters (SPEC §4.6).
 * The features arrive as vertical slices imported here; until then the service joins NATS,
 * ensures the event stream and answers its health subject (`<prefix>.health.notifier`).
 */
@Module({})
export class NotifierModule {
  static forRoot(infra: Infrastructure): DynamicModule {
    return { module: NotifierModule, imports: [ServiceKitModule.forRoot(infra)] };
  }
}

/** What `main.ts` runs, and what the tests start in-process with an isolated environment. */
export const notifierService: ServiceSpec = {
  service: 'notifier',
  module: (infra) => NotifierModule.forRoot(infra),
};
