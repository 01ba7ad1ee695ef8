import { z } from 'zod';
import { ID_PATTERN, SprintCode, TaskCode } from '../common/ids';

export const WebhookKind = z.enum(['slack', 'discord', 'generic']);
export type WebhookKind = z.infer<typeof WebhookKind>;

/** `wh_` + 16 hex characters; a safe subject token, URL segment and log field. */
export const WebhookId = z.string().regex(/^wh_[0-9a-f]{16}$/, 'must be a webhook id like wh_0123456789abcdef');
export const DeliveryId = z.uuid({ message: 'must be a delivery id (a uuid)' });

/**
 * An event-type glob: dot-separated segments of lower-case words, where `*` stands for exactly one
 * segment and a last segment `>` (or `**`) for one or more (the same rules as `GET /events?type=`):
 * `orchestration.phase.override`, `orchestration.bug.*`, `orchestration.phase.>`.
 */
export const EventGlob = z
  .string()
  .max(200)
  .refine(
    (g) => {
      const parts = g.split('.');
      return parts.every((p, i) => /^[a-z0-9_]+$/.test(p) || p === '*' || ((p === '>' || p === '**') && i === parts.length - 1));
    },
    'must be dot-separated lower-case segments, "*" for one segment, or ">" (or "**") as the last segment, e.g. orchestration.phase.*',
  );

/** `POST /webhooks`. The URL is checked against the notifier's allow-list (resolved addresses included). */
export const CreateWebhookBody = z.strictObject({
  url: z.string().max(2048).refine(isHttpUrl, 'must be an http:// or https:// URL without spaces'),
  kind: WebhookKind,
  events: z.array(EventGlob).min(1, 'must list at least one event type or glob').max(50),
  sprintCode: SprintCode.optional(),
  taskCode: TaskCode.optional(),
  description: z.string().trim().max(200).optional(),
});
export type CreateWebhookBody = z.infer<typeof CreateWebhookBody>;

function isHttpUrl(value: string): boolean {
  if (/\s/.test(value)) return false;
  try {
    const u = new URL(value);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

// ---- events ----

const SubscriptionFields = z.object({
  id: z.string().regex(ID_PATTERN),
  kind: WebhookKind,
  /** The URL with its secret parts hidden (Slack and Discord URLs carry a token in the path). */
  displayUrl: z.string(),
  /** URL and signing secret, AES-256-GCM sealed with the notifier's key: only it can open them. */
  sealed: z.string(),
  events: z.array(z.string()),
  sprintCode: z.string().nullable(),
  taskCode: z.string().nullable(),
  description: z.string().nullable(),
});

export const WebhookCreated = z.object({ type: z.literal('orchestration.webhook.created'), data: SubscriptionFields });
export const WebhookDeleted = z.object({ type: z.literal('orchestration.webhook.deleted'), data: z.object({ id: z.string() }) });
export const WebhookDisabled = z.object({
  type: z.literal('orchestration.webhook.disabled'),
  data: z.object({ id: z.string(), reason: z.string(), statusCode: z.number().int().nullable() }),
});
/** Re-enabled by hand: deliveries resume with the events after this one (what came while disabled is not sent). */
export const WebhookEnabled = z.object({ type: z.literal('orchestration.webhook.enabled'), data: z.object({ id: z.string() }) });
export const WebhookEvent = z.discriminatedUnion('type', [WebhookCreated, WebhookDeleted, WebhookDisabled, WebhookEnabled]);
export type WebhookEvent = z.infer<typeof WebhookEvent>;
export type WebhookCreatedData = z.infer<typeof WebhookCreated>['data'];

// ---- views ----

export const WebhookView = z.object({
  id: z.string(),
  kind: WebhookKind,
  url: z.string(),
  events: z.array(z.string()),
  sprintCode: z.string().nullable(),
  taskCode: z.string().nullable(),
  description: z.string().nullable(),
  enabled: z.boolean(),
  disabledReason: z.string().nullable(),
  createdAt: z.string(),
  version: z.number().int(),
});
export type WebhookView = z.infer<typeof WebhookView>;

/** What `POST /webhooks` answers: the only time the signing secret (generic) is ever shown. */
export const WebhookCreatedReply = WebhookView.extend({ secret: z.string().nullable() });
export type WebhookCreatedReply = z.infer<typeof WebhookCreatedReply>;

export const WebhookPage = z.object({ items: z.array(WebhookView) });
export type WebhookPage = z.infer<typeof WebhookPage>;

export const DeliveryStatus = z.enum(['PENDING', 'DELIVERED', 'DEAD', 'CANCELLED']);
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

export const DeliveryAttempt = z.object({
  attempt: z.number().int(),
  at: z.string(),
  statusCode: z.number().int().nullable(),
  latencyMs: z.number(),
  error: z.string().nullable(),
});
export type DeliveryAttempt = z.infer<typeof DeliveryAttempt>;

export const DeliveryView = z.object({
  id: z.string(),
  webhookId: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  seq: z.number().int(),
  status: DeliveryStatus,
  attempts: z.number().int(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  createdAt: z.string(),
  log: z.array(DeliveryAttempt),
});
export type DeliveryView = z.infer<typeof DeliveryView>;

export const DeliveryPage = z.object({ items: z.array(DeliveryView) });
export type DeliveryPage = z.infer<typeof DeliveryPage>;

export const WebhookIdParams = z.strictObject({ id: WebhookId });
export type WebhookIdParams = z.infer<typeof WebhookIdParams>;

export const DeliveryParams = z.strictObject({ id: WebhookId, deliveryId: DeliveryId });
export type DeliveryParams = z.infer<typeof DeliveryParams>;

export const ListDeliveriesQuery = z.strictObject({
  status: DeliveryStatus.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export type ListDeliveriesQuery = z.infer<typeof ListDeliveriesQuery>;

/** `POST /webhooks/:id/disable`: why, for the people who read the list and the log. */
export const DisableWebhookBody = z.strictObject({ reason: z.string().trim().min(1, 'must not be empty').max(500).optional() });
export type DisableWebhookBody = z.infer<typeof DisableWebhookBody>;

export const DeletedWebhook = z.object({ id: z.string(), deleted: z.literal(true) });
export type DeletedWebhook = z.infer<typeof DeletedWebhook>;
