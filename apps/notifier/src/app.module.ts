import { Module, type DynamicModule } from '@nestjs/common';
import { ProjectionCheckpoints1700000000000 } from '@orch/projections';
import { ServiceKitModule, type Infrastructure, type ServiceSpec } from '@orch/service-kit';
import { loadNotifierConfig, type NotifierConfig } from './config';
import { DeliveryService } from './delivery/delivery.service';
import { WebhookDelivery, WebhookSubscription, WebhookTaskScope, WebhookWorkflowScope } from './read-model/entities';
import { Webhooks1700000000600 } from './read-model/migrations/1700000000600-webhooks';
import { WebhookScopes1700000000601 } from './read-model/migrations/1700000000601-webhook-scopes';
import { webhookProjection } from './read-model/webhook.projection';
import { SubscriptionCommands } from './subscriptions/subscription.commands';
import { SubscriptionQueries } from './subscriptions/subscription.queries';
import { SubscriptionRepository } from './subscriptions/subscription.repository';
import { SubscriptionRpc } from './subscriptions/subscription.rpc';
import { TargetPolicy } from './subscriptions/target-policy';
import { NOTIFIER_CONFIG } from './tokens';

/**
 * Webhook subscriptions, Slack/Discord/Standard Webhooks deliveries, retries and dead letters (SPEC §4.6).
 * Subscriptions are an aggregate in the log; one projection keeps `webhook_subscriptions` and
 * enqueues `webhook_deliveries`; the dispatcher sends them with retries, per subscription.
 */
@Module({})
export class NotifierModule {
  static forRoot(infra: Infrastructure, config: NotifierConfig): DynamicModule {
    if (config.WEBHOOK_SEAL_KEY === undefined) infra.logger.warn('WEBHOOK_SEAL_KEY is not set: webhook targets are sealed with the public development key');
    return {
      module: NotifierModule,
      imports: [ServiceKitModule.forRoot(infra)],
      providers: [
        { provide: NOTIFIER_CONFIG, useValue: config },
        { provide: TargetPolicy, useValue: TargetPolicy.fromList(config.WEBHOOK_ALLOWED_HOSTS, config.allowLoopback) },
        SubscriptionRepository,
        SubscriptionCommands,
        SubscriptionQueries,
        SubscriptionRpc,
        DeliveryService,
      ],
    };
  }
}

/** The notifier as a service, configured from `env` (tests pass their isolated environment). */
export function notifierServiceWith(env: NodeJS.ProcessEnv): ServiceSpec {
  return {
    service: 'notifier',
    // Read when the service starts, so a bad WEBHOOK_* variable is a start-up ConfigError.
    module: (infra) => NotifierModule.forRoot(infra, loadNotifierConfig(env)),
    database: {
      entities: [WebhookSubscription, WebhookDelivery, WebhookTaskScope, WebhookWorkflowScope],
      migrations: [ProjectionCheckpoints1700000000000, Webhooks1700000000600, WebhookScopes1700000000601],
    },
    projections: [webhookProjection],
  };
}

/** What `main.ts` runs. */
export const notifierService: ServiceSpec = notifierServiceWith(process.env);
