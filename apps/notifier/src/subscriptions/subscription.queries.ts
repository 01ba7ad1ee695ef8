import { Inject, Injectable } from '@nestjs/common';
import type { DeliveryPage, DeliveryView, ListDeliveriesQuery, WebhookKind, WebhookPage, WebhookView } from '@orch/contracts';
import { ConflictError, NotFoundError } from '@orch/errors';
import { DATA_SOURCE } from '@orch/service-kit';
import type { DataSource } from 'typeorm';
import { DeliveryStore } from '../delivery/delivery-store';
import { notFound } from './subscription';

/** Reads of `webhook_subscriptions` and `webhook_deliveries`, and the by-hand redelivery. */
@Injectable()
export class SubscriptionQueries {
  private readonly deliveries: DeliveryStore;

  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {
    this.deliveries = new DeliveryStore(ds);
  }

  async get(id: string): Promise<WebhookView> {
    const rows: Array<Record<string, never>> = await this.ds.query('SELECT * FROM webhook_subscriptions WHERE id = $1 AND NOT deleted', [id]);
    if (!rows[0]) throw notFound(id);
    return viewOfRow(rows[0]);
  }

  async list(): Promise<WebhookPage> {
    const rows: Array<Record<string, never>> = await this.ds.query('SELECT * FROM webhook_subscriptions WHERE NOT deleted ORDER BY created_at, id');
    return { items: rows.map(viewOfRow) };
  }

  async deliveriesOf(id: string, q: ListDeliveriesQuery): Promise<DeliveryPage> {
    await this.get(id);
    return this.deliveries.list(id, q);
  }

  /** Queues a dead letter (or any finished delivery) again; the sender is woken on every instance. */
  async redeliver(id: string, deliveryId: string, schema: string): Promise<DeliveryView> {
    const webhook = await this.get(id);
    if (!webhook.enabled) throw new ConflictError('WEBHOOK.DISABLED', `Webhook ${id} is disabled (${webhook.disabledReason ?? 'no reason'}); enable it first (POST /webhooks/${id}/enable)`);
    const requeued = await this.deliveries.requeue(id, deliveryId);
    if (!requeued) {
      const existing = await this.deliveries.get(id, deliveryId);
      if (!existing) throw new NotFoundError('WEBHOOK.DELIVERY_NOT_FOUND', `Delivery ${deliveryId} of webhook ${id} does not exist`);
      throw new ConflictError('WEBHOOK.DELIVERY_PENDING', `Delivery ${deliveryId} is still pending; it will be retried on its own`);
    }
    await this.deliveries.notify(schema, id);
    return requeued;
  }
}

function viewOfRow(r: Record<string, never>): WebhookView {
  return {
    id: r.id,
    kind: r.kind as WebhookKind,
    url: r.display_url,
    events: r.events,
    sprintCode: r.sprint_code,
    taskCode: r.task_code,
    description: r.description,
    enabled: r.enabled,
    disabledReason: r.disabled_reason,
    createdAt: new Date(r.created_at).toISOString(),
    version: r.version,
  };
}
