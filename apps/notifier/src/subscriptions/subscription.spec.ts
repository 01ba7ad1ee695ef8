import type { WebhookCreatedData, WebhookEvent } from '@orch/contracts';
import { NotFoundError } from '@orch/errors';
import { deciderSpec } from '@orch/testing';
import { decide, evolve, initialState, type SubscriptionCommand, type SubscriptionState } from './subscription';

const spec = deciderSpec<SubscriptionState, WebhookEvent, SubscriptionCommand>({ initialState, evolve, decide });
const data: WebhookCreatedData = {
  id: 'wh_0123456789abcdef',
  kind: 'generic',
  displayUrl: 'https://example.com/hooks/…',
  sealed: 'v1.k.iv.tag.body',
  events: ['orchestration.bug.*'],
  sprintCode: null,
  taskCode: 'TSK-1',
  description: null,
};
const created: WebhookEvent = { type: 'orchestration.webhook.created', data };
const deleted: WebhookEvent = { type: 'orchestration.webhook.deleted', data: { id: data.id } };
const disabled: WebhookEvent = { type: 'orchestration.webhook.disabled', data: { id: data.id, reason: '410 Gone', statusCode: 410 } };

describe('a webhook subscription', () => {
  describe('when new', () => {
    it('is created', () => spec.given([]).when({ type: 'Create', subscription: data }).then([created]));
    it('cannot be deleted', () => void spec.given([]).when({ type: 'Delete', id: data.id }).thenThrows(NotFoundError, 'WEBHOOK.NOT_FOUND'));
    it('ignores a disable', () => spec.given([]).when({ type: 'Disable', id: data.id, reason: 'x', statusCode: 410 }).then([]));
  });

  describe('when enabled', () => {
    it('treats a second create (a retried command) as done', () => spec.given([created]).when({ type: 'Create', subscription: data }).then([]));
    it('is deleted', () => spec.given([created]).when({ type: 'Delete', id: data.id }).then([deleted]));
    it('is disabled by a 410 Gone', () => spec.given([created]).when({ type: 'Disable', id: data.id, reason: '410 Gone', statusCode: 410 }).then([disabled]));
  });

  describe('when disabled', () => {
    it('is not disabled twice', () => spec.given([created, disabled]).when({ type: 'Disable', id: data.id, reason: 'again', statusCode: 410 }).then([]));
    it('can still be deleted', () => spec.given([created, disabled]).when({ type: 'Delete', id: data.id }).then([deleted]));
  });

  describe('when deleted', () => {
    it('is not found', () => void spec.given([created, deleted]).when({ type: 'Delete', id: data.id }).thenThrows(NotFoundError, 'WEBHOOK.NOT_FOUND'));
    it('is not disabled', () => spec.given([created, deleted]).when({ type: 'Disable', id: data.id, reason: 'x', statusCode: null }).then([]));
  });
});
