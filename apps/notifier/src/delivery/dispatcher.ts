import { Client } from 'pg';
import type { Logger } from 'pino';
import type { WebhookKind } from '@orch/contracts';
import type { TargetPolicy } from '../subscriptions/target-policy';
import { unseal, type Sealed } from '../subscriptions/seal';
import type { NotifierConfig } from '../config';
import { retryDelay } from './backoff';
import type { AttemptOutcome, ClaimedDelivery, DeliveryStore } from './delivery-store';
import { bodyFor } from './payloads';
import { Sender, type SendResult } from './sender';
import { standardWebhookHeaders } from './signing';

/** Called when a receiver answers 410 Gone: the subscription is disabled through its aggregate. */
export type OnGone = (subscriptionId: string, deliveryId: string, attempt: number, statusCode: number) => Promise<void>;
/** Called when a delivery used its last try. */
export type OnDead = (delivery: ClaimedDelivery, reason: string) => Promise<void>;

/**
 * Sends the queued deliveries. Each subscription has its own worker with its own concurrency, so
 * a slow or dead endpoint only ever holds its own requests (isolation); a worker exists only while
 * its subscription has work. Work arrives by Postgres NOTIFY from the projection's transaction
 * (so a new delivery leaves at once), by a timer for each scheduled retry, and by a periodic scan
 * that finds whatever those missed (a restart, a lease that ran out after a crash).
 */
export class Dispatcher {
  private readonly workers = new Map<string, { again: boolean; done?: Promise<void> }>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly targets = new Map<string, Sealed>();
  private readonly sender: Sender;
  private listener: Client | null = null;
  private poller: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly store: DeliveryStore,
    private readonly config: NotifierConfig,
    private readonly policy: TargetPolicy,
    private readonly logger: Logger,
    private readonly onGone: OnGone,
    private readonly onDead: OnDead,
  ) {
    this.sender = new Sender(policy, config.WEBHOOK_TIMEOUT_MS);
  }

  async start(): Promise<void> {
    this.running = true;
    await this.listen();
    const poll = async () => {
      if (!this.running) return;
      for (const id of await this.store.dueSubscriptions().catch(() => [])) this.wake(id);
      this.poller = setTimeout(() => void poll(), this.config.WEBHOOK_POLL_MS);
    };
    await poll();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.poller) clearTimeout(this.poller);
    for (const t of this.timers) clearTimeout(t);
    await this.listener?.end().catch(() => undefined);
    // Let attempts in flight finish and be logged (bounded); any still running keep their lease
    // and are sent again after it: at least once, never lost.
    const inflight = [...this.workers.values()].map((w) => w.done);
    await Promise.race([Promise.all(inflight), new Promise((r) => setTimeout(r, this.config.WEBHOOK_TIMEOUT_MS + 500).unref())]);
    await this.sender.destroy().catch(() => undefined);
  }

  /** Makes sure the subscription's worker runs (again) now. */
  wake(subscriptionId: string): void {
    if (!this.running) return;
    const worker = this.workers.get(subscriptionId);
    if (worker) {
      worker.again = true;
      return;
    }
    const state: { again: boolean; done?: Promise<void> } = { again: false };
    this.workers.set(subscriptionId, state);
    state.done = this.work(subscriptionId, state).finally(() => this.workers.delete(subscriptionId));
  }

  private async work(subscriptionId: string, state: { again: boolean }): Promise<void> {
    const leaseMs = this.config.WEBHOOK_TIMEOUT_MS + 2_000;
    try {
      for (;;) {
        state.again = false;
        const claimed = await this.store.claim(subscriptionId, this.config.WEBHOOK_CONCURRENCY, leaseMs);
        await Promise.all(claimed.map((d) => this.deliver(d)));
        if (!this.running || (claimed.length === 0 && !state.again)) return;
      }
    } catch (error) {
      this.logger.warn({ err: error, webhook: subscriptionId }, 'delivery worker failed; the periodic scan retries');
    }
  }

  private async deliver(d: ClaimedDelivery): Promise<void> {
    const at = new Date().toISOString();
    const result = await this.send(d);
    const outcome = this.outcomeOf(d, result, at);
    await this.store.record(d.id, outcome);
    this.logger.debug({ webhook: d.subscriptionId, delivery: d.id, event: d.event.id, status: outcome.status, code: result.statusCode, ms: result.latencyMs }, 'delivery attempt');
    if (outcome.status === 'PENDING' && outcome.nextAttemptAt) this.wakeAt(d.subscriptionId, outcome.nextAttemptAt);
    if (result.statusCode === 410) await this.onGone(d.subscriptionId, d.id, outcome.attempt.attempt, 410).catch((e) => this.logger.error({ err: e, webhook: d.subscriptionId }, 'cannot disable a gone webhook'));
    else if (outcome.status === 'DEAD') await this.onDead(d, result.error ?? 'failed').catch((e) => this.logger.warn({ err: e, delivery: d.id }, 'cannot copy a dead letter'));
  }

  private async send(d: ClaimedDelivery): Promise<SendResult> {
    let target: Sealed;
    try {
      target = this.target(d.sealed);
    } catch (error) {
      // A changed WEBHOOK_SEAL_KEY: an attempt that fails (and ends as a dead letter), not a stuck row.
      return { statusCode: null, latencyMs: 0, error: (error as Error).message, retryAfterMs: null };
    }
    const body = bodyFor(d.kind as WebhookKind, d.event, d.seq, this.config.PUBLIC_URL);
    // The event id is the idempotency key on every kind: receivers drop a second copy by it.
    const headers: Record<string, string> = { 'idempotency-key': d.event.id };
    if (d.kind === 'generic' && target.secret) Object.assign(headers, standardWebhookHeaders(target.secret, d.event.id, body));
    return this.sender.post(target.url, body, headers, this.policy);
  }

  private outcomeOf(d: ClaimedDelivery, r: SendResult, at: string): AttemptOutcome {
    const attempt = { attempt: d.attempts + 1, at, statusCode: r.statusCode, latencyMs: r.latencyMs, error: r.error };
    if (r.statusCode !== null && r.statusCode >= 200 && r.statusCode < 300) return { status: 'DELIVERED', attempt, nextAttemptAt: null };
    if (r.statusCode === 410) return { status: 'DEAD', attempt: { ...attempt, error: 'HTTP 410 Gone: the subscription is disabled' }, nextAttemptAt: null };
    if (d.tries + 1 >= this.config.WEBHOOK_MAX_ATTEMPTS) return { status: 'DEAD', attempt, nextAttemptAt: null };
    const delay = retryDelay(d.tries + 1, { baseMs: this.config.WEBHOOK_BACKOFF_BASE_MS, maxMs: this.config.WEBHOOK_BACKOFF_MAX_MS }, r.retryAfterMs);
    return { status: 'PENDING', attempt, nextAttemptAt: new Date(Date.now() + delay) };
  }

  private target(sealed: string): Sealed {
    let t = this.targets.get(sealed);
    if (!t) this.targets.set(sealed, (t = unseal(sealed, this.config.sealKey)));
    return t;
  }

  private wakeAt(subscriptionId: string, at: Date): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.wake(subscriptionId);
    }, Math.max(0, at.getTime() - Date.now()) + 5);
    timer.unref();
    this.timers.add(timer);
  }

  /** LISTEN on this schema's channel; reconnects when the connection drops (the scan covers the gap). */
  private async listen(): Promise<void> {
    if (!this.running) return;
    const client = new Client({ connectionString: this.config.DATABASE_URL, application_name: 'orch-notifier-listen' });
    client.on('notification', (n) => {
      for (const id of (n.payload ?? '').split(',')) if (id) this.wake(id);
    });
    client.on('error', (e) => {
      this.logger.warn({ err: e }, 'lost the delivery wake-up connection; reconnecting');
      this.listener = null;
      setTimeout(() => void this.listen().catch(() => undefined), 1_000).unref();
    });
    try {
      await client.connect();
      await client.query(`LISTEN "webhooks_${this.config.DB_SCHEMA}"`);
      this.listener = client;
    } catch (error) {
      await client.end().catch(() => undefined);
      this.logger.warn({ err: error }, 'cannot listen for deliveries yet; retrying');
      setTimeout(() => void this.listen().catch(() => undefined), 1_000).unref();
    }
  }
}
