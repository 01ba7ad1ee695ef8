import { WebhookEvent as WebhookEventSchema, type WebhookCreatedData, type WebhookEvent } from '@orch/contracts';
import { NotFoundError } from '@orch/errors';
import type { AggregateDefinition, EventMeta } from '@orch/event-store';

export interface Subscription extends WebhookCreatedData {
  enabled: boolean;
  deleted: boolean;
  disabledReason: string | null;
  createdAt: string;
  version: number;
}

export type SubscriptionState = Subscription | null;

/**
 * The target is checked and sealed by the handler before deciding (I/O and randomness stay out).
 * `Disable` comes from the sender on 410 Gone (`byHand: false`: a gone or deleted one is a no-op)
 * or from an admin (`byHand: true`: an unknown one is 404). Disabling a disabled subscription and
 * enabling an enabled one change nothing: the caller gets the state it asked for.
 */
export type SubscriptionCommand =
  | { type: 'Create'; subscription: WebhookCreatedData }
  | { type: 'Delete'; id: string }
  | { type: 'Disable'; id: string; reason: string; statusCode: number | null; byHand: boolean }
  | { type: 'Enable'; id: string };

export const initialState = (): SubscriptionState => null;

export function evolve(state: SubscriptionState, event: WebhookEvent, meta: EventMeta): SubscriptionState {
  switch (event.type) {
    case 'orchestration.webhook.created':
      return { ...event.data, enabled: true, deleted: false, disabledReason: null, createdAt: meta.occurredAt, version: meta.version };
    case 'orchestration.webhook.deleted':
      return state && { ...state, deleted: true, enabled: false, version: meta.version };
    case 'orchestration.webhook.disabled':
      return state && { ...state, enabled: false, disabledReason: event.data.reason, version: meta.version };
    case 'orchestration.webhook.enabled':
      return state && { ...state, enabled: true, disabledReason: null, version: meta.version };
    default: {
      const never: never = event;
      return never;
    }
  }
}

export function decide(command: SubscriptionCommand, state: SubscriptionState): WebhookEvent[] {
  switch (command.type) {
    case 'Create':
      // The id comes from the command id, so an existing one means this command was a retry.
      return state ? [] : [{ type: 'orchestration.webhook.created', data: command.subscription }];
    case 'Delete':
      if (!state || state.deleted) throw notFound(command.id);
      return [{ type: 'orchestration.webhook.deleted', data: { id: command.id } }];
    case 'Disable':
      if ((!state || state.deleted) && command.byHand) throw notFound(command.id);
      if (!state || state.deleted || !state.enabled) return [];
      return [{ type: 'orchestration.webhook.disabled', data: { id: command.id, reason: command.reason, statusCode: command.statusCode } }];
    case 'Enable':
      if (!state || state.deleted) throw notFound(command.id);
      return state.enabled ? [] : [{ type: 'orchestration.webhook.enabled', data: { id: command.id } }];
    default: {
      const never: never = command;
      return never;
    }
  }
}

export const notFound = (id: string) => new NotFoundError('WEBHOOK.NOT_FOUND', `Webhook ${id} does not exist`);

export const SubscriptionAggregate: AggregateDefinition<SubscriptionState, WebhookEvent> = {
  type: 'webhook',
  initialState,
  evolve,
  eventSchema: WebhookEventSchema,
};
