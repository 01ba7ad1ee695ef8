import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The workflow process manager's own state, kept in the same transaction as its checkpoint:
 * which task belongs to which workflow, what it waits for, how often it failed, when it retries.
 */
export class WorkflowRunner1700000000120 implements MigrationInterface {
  name = 'WorkflowRunner1700000000120';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE orchestration_workflow_tasks (
      workflow_id text NOT NULL,
      task_code text NOT NULL,
      depends_on text[] NOT NULL DEFAULT '{}',
      closed boolean NOT NULL DEFAULT false,
      failures int NOT NULL DEFAULT 0,
      retry_due_at timestamptz,
      retry_cause text,
      PRIMARY KEY (workflow_id, task_code)
    )`);
    await q.query('CREATE INDEX orchestration_workflow_tasks_task_idx ON orchestration_workflow_tasks (task_code)');
    await q.query('CREATE INDEX orchestration_workflow_tasks_due_idx ON orchestration_workflow_tasks (retry_due_at) WHERE retry_due_at IS NOT NULL');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE orchestration_workflow_tasks');
  }
}
