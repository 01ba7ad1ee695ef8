import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `webhook_subscriptions` (a projection of the webhook aggregate) and `webhook_deliveries` (the
 * notifier's outbox and delivery log: one row per subscription and event, its attempts in `attempt_log`).
 */
export class Webhooks1700000000600 implements MigrationInterface {
  name = 'Webhooks1700000000600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE webhook_subscriptions (
      id text PRIMARY KEY,
      kind text NOT NULL,
      display_url text NOT NULL,
      sealed text NOT NULL,
      events jsonb NOT NULL,
      sprint_code text,
      task_code text,
      description text,
      enabled boolean NOT NULL,
      deleted boolean NOT NULL DEFAULT false,
      disabled_reason text,
      version int NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE TABLE webhook_deliveries (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      subscription_id text NOT NULL,
      event_id uuid NOT NULL,
      event_type text NOT NULL,
      seq bigint NOT NULL,
      event jsonb NOT NULL,
      status text NOT NULL,
      attempts int NOT NULL DEFAULT 0,
      tries int NOT NULL DEFAULT 0,
      attempt_log jsonb NOT NULL DEFAULT '[]',
      last_status_code int,
      last_error text,
      next_attempt_at timestamptz,
      locked_until timestamptz,
      delivered_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (subscription_id, event_id)
    )`);
    await q.query(`CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'PENDING'`);
    await q.query(`CREATE INDEX webhook_deliveries_by_subscription ON webhook_deliveries (subscription_id, seq DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE webhook_deliveries');
    await q.query('DROP TABLE webhook_subscriptions');
  }
}
