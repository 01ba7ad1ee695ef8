import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The process manager keeps each workflow's status and retry policy, and each member task's status,
 * as it reads them from the log: deciding readiness then needs no round trip to the event store.
 */
export class WorkflowRunnerStatus1700000000130 implements MigrationInterface {
  name = 'WorkflowRunnerStatus1700000000130';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE orchestration_workflow_runs (
      workflow_id text PRIMARY KEY,
      status text NOT NULL,
      retry jsonb NOT NULL
    )`);
    await q.query(`ALTER TABLE orchestration_workflow_tasks ADD COLUMN status text NOT NULL DEFAULT 'BACKLOG'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE orchestration_workflow_tasks DROP COLUMN status');
    await q.query('DROP TABLE orchestration_workflow_runs');
  }
}
