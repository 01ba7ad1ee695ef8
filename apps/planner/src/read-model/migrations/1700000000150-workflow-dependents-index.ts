import type { MigrationInterface, QueryRunner } from 'typeorm';

/** "Which workflow tasks wait for this one?" is asked on every task DONE: a GIN index answers it. */
export class WorkflowDependentsIndex1700000000150 implements MigrationInterface {
  name = 'WorkflowDependentsIndex1700000000150';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX orchestration_workflow_tasks_depends_idx ON orchestration_workflow_tasks USING gin (depends_on)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX orchestration_workflow_tasks_depends_idx');
  }
}
