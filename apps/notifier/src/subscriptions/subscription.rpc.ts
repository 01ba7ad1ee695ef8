import { Inject, Injectable } from '@nestjs/common';
import { WebhookRoutes as R } from '@orch/contracts';
import type { RpcContext } from '@orch/messaging';
import { commandMetaOf, RpcHandler } from '@orch/service-kit';
import type { NotifierConfig } from '../config';
import { NOTIFIER_CONFIG } from '../tokens';
import { SubscriptionCommands } from './subscription.commands';
import { SubscriptionQueries } from './subscription.queries';

type In<K extends keyof typeof R> = (typeof R)[K]['request']['_output'];

/** NATS → commands and queries. Payloads arrive validated against the route's schema. */
@Injectable()
export class SubscriptionRpc {
  constructor(
    private readonly commands: SubscriptionCommands,
    private readonly queries: SubscriptionQueries,
    @Inject(NOTIFIER_CONFIG) private readonly config: NotifierConfig,
  ) {}

  @RpcHandler(R.createWebhook)
  create(body: In<'createWebhook'>, ctx: RpcContext) {
    return this.commands.create(body, commandMetaOf(ctx));
  }

  @RpcHandler(R.deleteWebhook)
  delete({ id }: In<'deleteWebhook'>, ctx: RpcContext) {
    return this.commands.delete(id, commandMetaOf(ctx));
  }

  @RpcHandler(R.getWebhook)
  async get({ id }: In<'getWebhook'>) {
    return { value: await this.queries.get(id) };
  }

  @RpcHandler(R.listWebhooks)
  async list() {
    return { value: await this.queries.list() };
  }

  @RpcHandler(R.listDeliveries)
  async deliveries({ id, query }: In<'listDeliveries'>) {
    return { value: await this.queries.deliveriesOf(id, query) };
  }

  @RpcHandler(R.disableWebhook)
  disable({ id, body }: In<'disableWebhook'>, ctx: RpcContext) {
    return this.commands.disableByHand(id, body.reason, commandMetaOf(ctx));
  }

  @RpcHandler(R.enableWebhook)
  enable({ id }: In<'enableWebhook'>, ctx: RpcContext) {
    return this.commands.enable(id, commandMetaOf(ctx));
  }

  @RpcHandler(R.redeliver)
  async redeliver({ id, deliveryId }: In<'redeliver'>) {
    return { value: await this.queries.redeliver(id, deliveryId, this.config.DB_SCHEMA) };
  }
}
