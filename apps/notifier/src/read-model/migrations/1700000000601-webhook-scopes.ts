import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the webhook filters need to know of other services' aggregates: the sprint of each task
 * and the sprint and tasks of each workflow. Most events name neither (a blocked task, a bug, a
 * lost agent, a completed workflow), so a sprint filter looks them up here.
 *
 * And the outbox's high-water mark: the last log position the projection ever enqueued from. A
 * rebuild (which this upgrade needs, to fill the scopes with older tasks) replays history with
 * these wider filters, and after the retention job the unique key no longer stops old events;
 * the mark does. It starts at the projection's current checkpoint, so nothing already seen is sent.
 */
export class WebhookScopes1700000000601 implements MigrationInterface {
  name = 'WebhookScopes1700000000601';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE webhook_task_scopes (task_code text PRIMARY KEY, sprint_code text)`);
    await q.query(`CREATE TABLE webhook_workflow_scopes (workflow_id text PRIMARY KEY, sprint_code text, task_codes jsonb NOT NULL)`);
    await q.query(`CREATE TABLE webhook_outbox_mark (one boolean PRIMARY KEY DEFAULT true CHECK (one), position bigint NOT NULL)`);
    await q.query(`INSERT INTO webhook_outbox_mark (position) SELECT COALESCE((SELECT position FROM projection_checkpoints WHERE name = 'webhooks'), 0)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE webhook_outbox_mark');
    await q.query('DROP TABLE webhook_workflow_scopes');
    await q.query('DROP TABLE webhook_task_scopes');
  }
}
