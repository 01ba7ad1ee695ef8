import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Infrastructure } from '@orch/service-kit';
import { DATA_SOURCE, INFRA, LOGGER } from '@orch/service-kit';
import { deadLetter } from '@orch/projections';
import type { NotifierConfig } from '../config';
import { SubscriptionCommands } from '../subscriptions/subscription.commands';
import { TargetPolicy } from '../subscriptions/target-policy';
import { NOTIFIER_CONFIG } from '../tokens';
import { DeliveryStore } from './delivery-store';
import { Dispatcher } from './dispatcher';

/** Runs the dispatcher for the life of the service. */
@Injectable()
export class DeliveryService implements OnApplicationBootstrap, OnModuleDestroy {
  readonly dispatcher: Dispatcher;

  constructor(
    @Inject(DATA_SOURCE) ds: DataSource,
    @Inject(NOTIFIER_CONFIG) config: NotifierConfig,
    @Inject(LOGGER) logger: Logger,
    @Inject(INFRA) infra: Infrastructure,
    policy: TargetPolicy,
    commands: SubscriptionCommands,
  ) {
    const log = logger.child({ component: 'deliveries' });
    this.dispatcher = new Dispatcher(
      new DeliveryStore(ds),
      config,
      policy,
      log,
      (id, deliveryId, attempt, status) => commands.disable(id, deliveryId, attempt, status),
      async (d, reason) => {
        // A copy on the dead-letter stream too, where operators watch every consumer's failures.
        const data = new TextEncoder().encode(JSON.stringify({ deliveryId: d.id, webhookId: d.subscriptionId, event: d.event }));
        await deadLetter(infra.js, infra.subjects, `webhook_${d.subscriptionId}`, { seq: d.seq, subject: infra.subjects.aggregate(d.event.aggregateType, d.event.aggregateId), data }, reason);
        log.warn({ webhook: d.subscriptionId, delivery: d.id, event: d.event.id, reason }, 'delivery gave up: dead letter');
      },
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.dispatcher.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.dispatcher.stop();
  }
}
