import type { DataSource } from 'typeorm';
import type { DeliveryAttempt, DeliveryPage, DeliveryStatus, DeliveryView, EventEnvelope, ListDeliveriesQuery, WebhookKind } from '@orch/contracts';

/** A delivery claimed for one attempt, with what is needed to send it. */
export interface ClaimedDelivery {
  id: string;
  subscriptionId: string;
  event: EventEnvelope;
  seq: number;
  tries: number;
  attempts: number;
  kind: WebhookKind;
  sealed: string;
}

export interface AttemptOutcome {
  status: DeliveryStatus;
  attempt: DeliveryAttempt;
  nextAttemptAt: Date | null;
}

/**
 * The SQL of `webhook_deliveries`, parameterised. A claim sets `locked_until` (a lease) with
 * `FOR UPDATE SKIP LOCKED`, so several notifier instances never send the same row at once, and a
 * row whose sender died (SIGKILL) is claimed again when its lease runs out.
 */
export class DeliveryStore {
  constructor(private readonly ds: DataSource) {}

  async claim(subscriptionId: string, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    const rows = updated(await this.ds.query(
      `UPDATE webhook_deliveries d SET locked_until = now() + make_interval(secs => $3::float8 / 1000), updated_at = now()
       FROM webhook_subscriptions s
       WHERE d.id IN (SELECT id FROM webhook_deliveries WHERE subscription_id = $1 AND status = 'PENDING' AND next_attempt_at <= now()
                        AND (locked_until IS NULL OR locked_until < now()) ORDER BY seq LIMIT $2 FOR UPDATE SKIP LOCKED)
         AND s.id = d.subscription_id AND s.enabled
       RETURNING d.id, d.subscription_id, d.event, d.seq, d.tries, d.attempts, s.kind, s.sealed`,
      [subscriptionId, limit, leaseMs],
    ));
    return rows
      .map((r) => ({ id: r.id, subscriptionId: r.subscription_id, event: r.event, seq: Number(r.seq), tries: r.tries, attempts: r.attempts, kind: r.kind, sealed: r.sealed }))
      .sort((a, b) => a.seq - b.seq);
  }

  /** Logs one attempt. A row cancelled meanwhile (subscription deleted) keeps its status but gets the attempt logged. */
  async record(id: string, o: AttemptOutcome): Promise<void> {
    await this.ds.query(
      `UPDATE webhook_deliveries SET attempts = attempts + 1, tries = tries + 1, attempt_log = attempt_log || $2::jsonb,
         status = CASE WHEN status = 'PENDING' THEN $3 ELSE status END,
         last_status_code = $4, last_error = $5, next_attempt_at = CASE WHEN status = 'PENDING' THEN $6::timestamptz ELSE NULL END,
         locked_until = NULL, delivered_at = CASE WHEN $3 = 'DELIVERED' THEN now() ELSE delivered_at END, updated_at = now()
       WHERE id = $1`,
      [id, JSON.stringify([o.attempt]), o.status, o.attempt.statusCode, o.attempt.error, o.nextAttemptAt],
    );
  }

  /** Subscriptions with a row due now (retries whose time came, claims whose lease ran out). */
  async dueSubscriptions(): Promise<string[]> {
    const rows: Array<{ subscription_id: string }> = await this.ds.query(
      `SELECT DISTINCT subscription_id FROM webhook_deliveries WHERE status = 'PENDING' AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until < now())`,
    );
    return rows.map((r) => r.subscription_id);
  }

  async list(subscriptionId: string, q: ListDeliveriesQuery): Promise<DeliveryPage> {
    const rows: Array<Record<string, never>> = await this.ds.query(
      `SELECT * FROM webhook_deliveries WHERE subscription_id = $1 AND ($2::text IS NULL OR status = $2) ORDER BY seq DESC, id LIMIT $3`,
      [subscriptionId, q.status ?? null, q.limit],
    );
    return { items: rows.map(viewOf) };
  }

  async get(subscriptionId: string, id: string): Promise<DeliveryView | null> {
    const rows: Array<Record<string, never>> = await this.ds.query(`SELECT * FROM webhook_deliveries WHERE subscription_id = $1 AND id = $2`, [subscriptionId, id]);
    return rows[0] ? viewOf(rows[0]) : null;
  }

  /** Queues a finished delivery (a dead letter, usually) again with a fresh budget of tries; null when it is still pending. */
  async requeue(subscriptionId: string, id: string): Promise<DeliveryView | null> {
    const rows = updated(await this.ds.query(
      `UPDATE webhook_deliveries SET status = 'PENDING', tries = 0, next_attempt_at = now(), locked_until = NULL, updated_at = now()
       WHERE subscription_id = $1 AND id = $2 AND status <> 'PENDING' RETURNING *`,
      [subscriptionId, id],
    ));
    return rows[0] ? viewOf(rows[0]) : null;
  }

  async notify(schema: string, subscriptionId: string): Promise<void> {
    await this.ds.query(`SELECT pg_notify($1, $2)`, [`webhooks_${schema}`, subscriptionId]);
  }
}

/** TypeORM answers an UPDATE … RETURNING as [rows, count]. */
const updated = (result: unknown): Array<Record<string, never>> => (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : (result as Array<Record<string, never>>));

const iso = (v: Date | string | null): string | null => (v === null ? null : new Date(v).toISOString());

function viewOf(r: Record<string, never>): DeliveryView {
  return {
    id: r.id,
    webhookId: r.subscription_id,
    eventId: r.event_id,
    eventType: r.event_type,
    seq: Number(r.seq),
    status: r.status,
    attempts: r.attempts,
    lastStatusCode: r.last_status_code,
    lastError: r.last_error,
    nextAttemptAt: r.status === 'PENDING' ? iso(r.next_attempt_at) : null,
    deliveredAt: iso(r.delivered_at),
    createdAt: iso(r.created_at)!,
    log: r.attempt_log,
  };
}
