import type { z } from 'zod';
import {
  CreateWebhookBody,
  DeletedWebhook,
  DeliveryPage,
  DeliveryParams,
  DeliveryView,
  DisableWebhookBody,
  ListDeliveriesQuery,
  WebhookCreatedReply,
  WebhookIdParams,
  WebhookPage,
  WebhookRoutes,
  WebhookView,
} from '@orch/contracts';
import { ADMINS, READERS } from '../auth/roles';
import { ApiController, Endpoint } from '../http/endpoint';
import { CallerOf, Input, type Caller } from '../http/request-state';
import { ServiceCaller } from '../rpc/service-caller';

const OptionalDisableBody = DisableWebhookBody.optional();
type DisableBody = z.infer<typeof OptionalDisableBody>;

/** `/api/v1/webhooks`: parse, call the notifier, map. Admins manage subscriptions; the notifier checks targets. */
@ApiController('webhooks')
export class WebhooksController {
  constructor(private readonly services: ServiceCaller) {}

  @Endpoint({
    method: 'POST',
    summary: 'Subscribe a webhook',
    description:
      'kind `slack` (incoming-webhook `text` + Block Kit `blocks`), `discord` (`content` + `embeds`) or `generic` (the event as JSON, signed per Standard Webhooks). `events` are type globs (`*` one segment, a last `>` the rest). The target must pass the allow-list (private addresses refused unless listed). A `generic` subscription answers its `whsec_` signing secret here, once: it is never shown again.',
    roles: ADMINS,
    body: CreateWebhookBody,
    response: WebhookCreatedReply,
    status: 201,
    write: true,
    service: true,
  })
  createWebhook(@Input('body') body: CreateWebhookBody, @CallerOf() caller: Caller) {
    return this.services.call(WebhookRoutes.createWebhook, body, caller);
  }

  @Endpoint({ method: 'GET', summary: 'List webhooks', description: 'URLs are shown without their secret parts.', roles: READERS, response: WebhookPage, service: true })
  listWebhooks(@CallerOf() caller: Caller) {
    return this.services.call(WebhookRoutes.listWebhooks, {}, caller);
  }

  @Endpoint({ method: 'GET', path: ':id', summary: 'Get a webhook', roles: READERS, params: WebhookIdParams, response: WebhookView, service: true })
  getWebhook(@Input('params') params: WebhookIdParams, @CallerOf() caller: Caller) {
    return this.services.call(WebhookRoutes.getWebhook, params, caller);
  }

  @Endpoint({ method: 'DELETE', path: ':id', summary: 'Delete a webhook', description: 'Deliveries still waiting are cancelled; the delivery log is kept.', roles: ADMINS, params: WebhookIdParams, response: DeletedWebhook, write: true, service: true })
  deleteWebhook(@Input('params') params: WebhookIdParams, @CallerOf() caller: Caller) {
    return this.services.call(WebhookRoutes.deleteWebhook, params, caller);
  }

  @Endpoint({
    method: 'POST',
    path: ':id/disable',
    summary: 'Disable a webhook by hand',
    description:
      'Stops deliveries: those still waiting are CANCELLED (kept in the delivery log, redeliverable once enabled again). Events logged while it is disabled are not delivered, then or later. Disabling a disabled webhook changes nothing.',
    roles: ADMINS,
    params: WebhookIdParams,
    body: OptionalDisableBody,
    response: WebhookView,
    write: true,
    service: true,
  })
  disableWebhook(@Input('params') params: WebhookIdParams, @Input('body') body: DisableBody, @CallerOf() caller: Caller) {
    return this.services.call(WebhookRoutes.disableWebhook, { id: params.id, body: body ?? {} }, caller);
  }

  @Endpoint({
    method: 'POST',
    path: ':id/enable',
    summary: 'Enable a disabled webhook',
    description: 'Also after a 410 Gone. Deliveries resume with the events logged after this call; what was logged while it was disabled is not sent. Enabling an enabled webhook changes nothing.',
    roles: ADMINS,
    params: WebhookIdParams,
    response: WebhookView,
    write: true,
    service: true,
  })
  enableWebhook(@Input('params') params: WebhookIdParams, @CallerOf() caller: Caller) {
    return this.services.call(WebhookRoutes.enableWebhook, params, caller);
  }

  @Endpoint({
    method: 'GET',
    path: ':id/deliveries',
    summary: 'Delivery log of a webhook',
    description: 'Newest event first: status (PENDING, DELIVERED, DEAD = dead letter, CANCELLED), every attempt with its status code, latency and error, and the next retry.',
    roles: READERS,
    params: WebhookIdParams,
    query: ListDeliveriesQuery,
    response: DeliveryPage,
    service: true,
  })
  listWebhookDeliveries(@Input('params') params: WebhookIdParams, @Input('query') query: ListDeliveriesQuery, @CallerOf() caller: Caller) {
    return this.services.call(WebhookRoutes.listDeliveries, { id: params.id, query }, caller);
  }

  @Endpoint({
    method: 'POST',
    path: ':id/deliveries/:deliveryId/redeliver',
    summary: 'Redeliver by hand',
    description: 'Queues a dead letter (or any finished delivery) again with a fresh budget of attempts. 409 while it is still pending or when the webhook is disabled.',
    roles: ADMINS,
    params: DeliveryParams,
    response: DeliveryView,
    status: 202,
    write: true,
    service: true,
    errors: [409],
  })
  redeliverWebhook(@Input('params') params: DeliveryParams, @CallerOf() caller: Caller) {
    return this.services.call(WebhookRoutes.redeliver, params, caller);
  }
}
