import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { CreateWebhookBody, DeletedWebhook, WebhookCreatedReply, WebhookView } from '@orch/contracts';
import type { CommandMeta } from '@orch/event-store';
import type { HandlerResult } from '@orch/messaging';
import type { NotifierConfig } from '../config';
import { NOTIFIER_CONFIG } from '../tokens';
import { decide, notFound } from './subscription';
import { SubscriptionRepository } from './subscription.repository';
import { displayUrl, newSigningSecret, seal, unseal } from './seal';
import { TargetPolicy } from './target-policy';
import { viewOfState } from './views';

/** The id follows from the command id, so a retried create (same Idempotency-Key) finds its subscription. */
export const webhookIdOf = (commandId: string): string => `wh_${createHash('sha256').update(commandId).digest('hex').slice(0, 16)}`;

/** Create, delete, disable (by hand or on 410 Gone) and enable subscriptions: check and seal, decide, append, answer. */
@Injectable()
export class SubscriptionCommands {
  constructor(
    private readonly subscriptions: SubscriptionRepository,
    private readonly policy: TargetPolicy,
    @Inject(NOTIFIER_CONFIG) private readonly config: NotifierConfig,
  ) {}

  async create(body: CreateWebhookBody, meta: CommandMeta): Promise<HandlerResult<WebhookCreatedReply>> {
    await this.policy.check(body.url);
    const id = webhookIdOf(meta.commandId);
    const subscription = {
      id,
      kind: body.kind,
      displayUrl: displayUrl(body.url),
      sealed: seal({ url: body.url, secret: body.kind === 'generic' ? newSigningSecret() : null }, this.config.sealKey),
      events: body.events,
      sprintCode: body.sprintCode ?? null,
      taskCode: body.taskCode ?? null,
      description: body.description ?? null,
    };
    const result = await this.subscriptions.execute(id, meta, (state) => decide({ type: 'Create', subscription }, state), { expectNew: true });
    const state = result.state!;
    // From the stored state, not the fresh one: a retried create answers the secret it first made.
    return { value: { ...viewOfState(state), secret: unseal(state.sealed, this.config.sealKey).secret }, seq: result.seq };
  }

  async delete(id: string, meta: CommandMeta): Promise<HandlerResult<DeletedWebhook>> {
    const result = await this.subscriptions.execute(id, meta, (state) => decide({ type: 'Delete', id }, state));
    if (!result.state) throw notFound(id);
    return { value: { id, deleted: true }, seq: result.seq };
  }

  /**
   * The sender's reaction to 410 Gone. Its command id (delivery and attempt) makes a 410 recorded
   * twice (two instances, a retried call) one event, while a 410 after a re-enable is a new one.
   */
  async disable(id: string, deliveryId: string, attempt: number, statusCode: number): Promise<void> {
    const meta: CommandMeta = { actor: { kind: 'system', id: 'notifier' }, commandId: `disable-${deliveryId}-${attempt}`, issuedAt: new Date().toISOString(), correlationId: randomUUID(), causationId: null };
    await this.subscriptions.execute(id, meta, (state) => decide({ type: 'Disable', id, reason: `the receiver answered ${statusCode} Gone`, statusCode, byHand: false }, state));
  }

  /** An admin stops deliveries: what is waiting is cancelled (kept in the log, redeliverable once enabled again). */
  async disableByHand(id: string, reason: string | undefined, meta: CommandMeta): Promise<HandlerResult<WebhookView>> {
    const why = `disabled by ${meta.actor.kind} ${meta.actor.id}${reason ? `: ${reason}` : ''}`;
    const result = await this.subscriptions.execute(id, meta, (state) => decide({ type: 'Disable', id, reason: why, statusCode: null, byHand: true }, state));
    return { value: viewOfState(result.state!), seq: result.seq };
  }

  /** Deliveries resume with the events after this one; events logged while disabled are not sent. */
  async enable(id: string, meta: CommandMeta): Promise<HandlerResult<WebhookView>> {
    const result = await this.subscriptions.execute(id, meta, (state) => decide({ type: 'Enable', id }, state));
    return { value: viewOfState(result.state!), seq: result.seq };
  }
}
