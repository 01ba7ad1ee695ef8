import { WebhookEvent, type EventEnvelope, type StoredCommit } from '@orch/contracts';
import type { PgProjection } from '@orch/projections';
import type { EntityManager } from 'typeorm';
import { compileMatcher, type MatchableSubscription } from './match';
import { ScopeIndex } from './scope-index';

/** Postgres NOTIFY channel of one schema: wakes the sender when a transaction enqueued deliveries. */
export const wakeChannel = (schema: string): string => `webhooks_${schema}`;

/**
 * One projection, in log order and in the checkpoint's transaction, keeps `webhook_subscriptions`
 * and enqueues a `webhook_deliveries` row per matching (subscription, event). Doing both in one
 * pass means an event is matched against the subscriptions exactly as they stood at its place in
 * the log. A crash before the commit re-applies the batch; `ON CONFLICT DO NOTHING` on
 * (subscription, event) makes enqueueing idempotent, so deliveries are at least once and never
 * enqueued twice.
 *
 * Beside them it keeps a small projection of where tasks and workflows belong (`ScopeIndex`), so
 * sprint and task filters also match the events that do not name their sprint.
 *
 * A rebuild empties `webhook_subscriptions` and the scopes only: the deliveries table is the delivery
 * log and the outbox, not a view, and replaying history must not send any old event again. The
 * outbox mark guarantees that: nothing at or below the last position ever enqueued from is queued,
 * even after the retention job deleted its delivery row or when the filters now match more.
 */
export const webhookProjection: PgProjection = {
  kind: 'postgres',
  name: 'webhooks',
  tables: ['webhook_subscriptions', 'webhook_task_scopes', 'webhook_workflow_scopes'],
  async apply(commits: StoredCommit[], tx: EntityManager) {
    let subs = await enabledSubscriptions(tx);
    let matcher = compileMatcher(subs);
    const scopes = new ScopeIndex(tx);
    const mark = await outboxMark(tx);
    const rows: unknown[][] = [];
    for (const commit of commits) {
      // Replayed history (a rebuild) is matched for the subscriptions' sake but never queued again.
      const replay = commit.seq <= mark;
      for (const env of commit.events) {
        const leftSprint = await scopes.track(env);
        if (!replay) {
          for (const id of await matcher(env, () => scopes.scopeOf(env, leftSprint))) rows.push([id, env.id, env.type, commit.seq, JSON.stringify(payloadOf(env))]);
        }
        if (env.aggregateType === 'webhook') {
          await applySubscription(tx, env, WebhookEvent.parse(env));
          subs = await enabledSubscriptions(tx);
          matcher = compileMatcher(subs);
        }
      }
    }
    if (rows.length > 0) await enqueue(tx, rows);
    const last = commits[commits.length - 1]?.seq ?? 0;
    if (last > mark) await tx.query('UPDATE webhook_outbox_mark SET position = $1', [last]);
  },
};

/** The last log position ever enqueued from; a rebuild leaves it alone (it is not in `tables`). */
async function outboxMark(tx: EntityManager): Promise<number> {
  const rows: Array<{ position: string }> = await tx.query('SELECT position FROM webhook_outbox_mark');
  return Number(rows[0]?.position ?? 0);
}

/** A webhook's own events go out without their sealed target. */
function payloadOf(env: EventEnvelope): EventEnvelope {
  if (env.aggregateType !== 'webhook' || !('sealed' in env.data)) return env;
  const { sealed: _sealed, ...data } = env.data;
  return { ...env, data };
}

async function enabledSubscriptions(tx: EntityManager): Promise<MatchableSubscription[]> {
  const rows: Array<{ id: string; events: string[]; sprint_code: string | null; task_code: string | null }> = await tx.query(
    'SELECT id, events, sprint_code, task_code FROM webhook_subscriptions WHERE enabled AND NOT deleted',
  );
  return rows.map((r) => ({ id: r.id, events: r.events, sprintCode: r.sprint_code, taskCode: r.task_code }));
}

const PER_STATEMENT = 500;

async function enqueue(tx: EntityManager, rows: unknown[][]): Promise<void> {
  const woken = new Set<string>();
  for (let i = 0; i < rows.length; i += PER_STATEMENT) {
    const chunk = rows.slice(i, i + PER_STATEMENT);
    const values = chunk.map((_, j) => `($${j * 5 + 1}, $${j * 5 + 2}::uuid, $${j * 5 + 3}, $${j * 5 + 4}, $${j * 5 + 5}::jsonb, 'PENDING', now())`).join(', ');
    const inserted: Array<{ subscription_id: string }> = await tx.query(
      `INSERT INTO webhook_deliveries (subscription_id, event_id, event_type, seq, event, status, next_attempt_at) VALUES ${values}
       ON CONFLICT (subscription_id, event_id) DO NOTHING RETURNING subscription_id`,
      chunk.flat(),
    );
    for (const r of inserted) woken.add(r.subscription_id);
  }
  // Delivered by Postgres only when this transaction commits: the sender never sees a row early.
  if (woken.size > 0) await tx.query(`SELECT pg_notify('webhooks_' || current_schema(), $1)`, [[...woken].join(',').slice(0, 7900)]);
}

async function applySubscription(tx: EntityManager, env: EventEnvelope, event: WebhookEvent): Promise<void> {
  switch (event.type) {
    case 'orchestration.webhook.created': {
      const d = event.data;
      await tx.query(
        `INSERT INTO webhook_subscriptions (id, kind, display_url, sealed, events, sprint_code, task_code, description, enabled, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, true, $9, $10, $10) ON CONFLICT (id) DO NOTHING`,
        [d.id, d.kind, d.displayUrl, d.sealed, JSON.stringify(d.events), d.sprintCode, d.taskCode, d.description, env.version, env.occurredAt],
      );
      return;
    }
    case 'orchestration.webhook.deleted':
    case 'orchestration.webhook.disabled': {
      const deleted = event.type === 'orchestration.webhook.deleted';
      await tx.query(
        `UPDATE webhook_subscriptions SET enabled = false, deleted = deleted OR $2, disabled_reason = COALESCE($3, disabled_reason), version = $4, updated_at = $5 WHERE id = $1`,
        [env.aggregateId, deleted, deleted ? null : (event.data as { reason: string }).reason, env.version, env.occurredAt],
      );
      // Nothing more goes to a subscription that is gone; what was waiting is kept, marked, in its log.
      await tx.query(
        `UPDATE webhook_deliveries SET status = 'CANCELLED', last_error = $2, locked_until = NULL, next_attempt_at = NULL, updated_at = now() WHERE subscription_id = $1 AND status = 'PENDING'`,
        [env.aggregateId, deleted ? 'subscription deleted' : 'subscription disabled'],
      );
      return;
    }
    case 'orchestration.webhook.enabled':
      // Only what comes after this event is matched again: nothing logged while disabled is queued.
      await tx.query(`UPDATE webhook_subscriptions SET enabled = true, disabled_reason = NULL, version = $2, updated_at = $3 WHERE id = $1 AND NOT deleted`, [env.aggregateId, env.version, env.occurredAt]);
      return;
    default: {
      const never: never = event;
      return never;
    }
  }
}
