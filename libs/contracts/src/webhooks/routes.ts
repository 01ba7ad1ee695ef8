import { commandRoute, queryRoute } from '../common/rpc';
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
  WebhookView,
} from './webhook';
import { z } from 'zod';

/** The notifier's request/reply surface; the gateway and the notifier both validate with these. */
export const WebhookRoutes = {
  createWebhook: commandRoute('notifier', 'webhook.create', CreateWebhookBody, WebhookCreatedReply),
  deleteWebhook: commandRoute('notifier', 'webhook.delete', WebhookIdParams, DeletedWebhook),
  getWebhook: queryRoute('notifier', 'webhook.get', WebhookIdParams, WebhookView),
  listWebhooks: queryRoute('notifier', 'webhook.list', z.strictObject({}), WebhookPage),
  listDeliveries: queryRoute('notifier', 'webhook.deliveries', WebhookIdParams.extend({ query: ListDeliveriesQuery }), DeliveryPage),
  redeliver: commandRoute('notifier', 'webhook.redeliver', DeliveryParams, DeliveryView),
  disableWebhook: commandRoute('notifier', 'webhook.disable', WebhookIdParams.extend({ body: DisableWebhookBody }), WebhookView),
  enableWebhook: commandRoute('notifier', 'webhook.enable', WebhookIdParams, WebhookView),
} as const;
