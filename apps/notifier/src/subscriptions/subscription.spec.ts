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
const enabled: WebhookEvent = { type: 'orchestration.webhook.enabled', data: { id: data.id } };
const gone = { type: 'Disable' as const, id: data.id, reason: '410 Gone', statusCode: 410, byHand: false };
const byHand = { type: 'Disable' as const, id: data.id, reason: 'channel archived', statusCode: null, byHand: true };

describe('a webhook subscription', () => {
  describe('when new', () => {
    it('is created', () => spec.given([]).when({ type: 'Create', subscription: data }).then([created]));
    it('cannot be deleted', () => void spec.given([]).when({ type: 'Delete', id: data.id }).thenThrows(NotFoundError, 'WEBHOOK.NOT_FOUND'));
    it('ignores a disable from the sender', () => spec.given([]).when(gone).then([]));
    it('cannot be disabled by hand', () => void spec.given([]).when(byHand).thenThrows(NotFoundError, 'WEBHOOK.NOT_FOUND'));
    it('cannot be enabled', () => void spec.given([]).when({ type: 'Enable', id: data.id }).thenThrows(NotFoundError, 'WEBHOOK.NOT_FOUND'));
  });

  describe('when enabled', () => {
    it('treats a second create (a retried command) as done', () => spec.given([created]).when({ type: 'Create', subscription: data }).then([]));
    it('is deleted', () => spec.given([created]).when({ type: 'Delete', id: data.id }).then([deleted]));
    it('is disabled by a 410 Gone', () => spec.given([created]).when(gone).then([disabled]));
    it('is disabled by hand, with the reason', () =>
      spec.given([created]).when(byHand).then([{ type: 'orchestration.webhook.disabled', data: { id: data.id, reason: 'channel archived', statusCode: null } }]));
    it('is already enabled', () => spec.given([created]).when({ type: 'Enable', id: data.id }).then([]));
  });

  describe('when disabled', () => {
    it('is not disabled twice', () => spec.given([created, disabled]).when(gone).then([]));
    it('is not disabled twice by hand either', () => spec.given([created, disabled]).when(byHand).then([]));
    it('is enabled again by hand', () => spec.given([created, disabled]).when({ type: 'Enable', id: data.id }).then([enabled]));
    it('is disabled again after being enabled', () => spec.given([created, disabled, enabled]).when(gone).then([disabled]));
    it('can still be deleted', () => spec.given([created, disabled]).when({ type: 'Delete', id: data.id }).then([deleted]));
  });

  describe('when deleted', () => {
    it('is not found', () => void spec.given([created, deleted]).when({ type: 'Delete', id: data.id }).thenThrows(NotFoundError, 'WEBHOOK.NOT_FOUND'));
    it('is not disabled by the sender', () => spec.given([created, deleted]).when(gone).then([]));
    it('is not disabled by hand', () => void spec.given([created, deleted]).when(byHand).thenThrows(NotFoundError, 'WEBHOOK.NOT_FOUND'));
    it('is not enabled', () => void spec.given([created, deleted]).when({ type: 'Enable', id: data.id }).thenThrows(NotFoundError, 'WEBHOOK.NOT_FOUND'));
  });
});
