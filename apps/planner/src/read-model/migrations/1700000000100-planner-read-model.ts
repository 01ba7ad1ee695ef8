import type { MigrationInterface, QueryRunner } from 'typeorm';

export class PlannerReadModel1700000000100 implements MigrationInterface {
  name = 'PlannerReadModel1700000000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE orchestration_sprints (
      id bigserial PRIMARY KEY,
      sprint_code text NOT NULL UNIQUE,
      title text NOT NULL,
      goal text,
      status text NOT NULL,
      metadata jsonb NOT NULL DEFAULT '{}',
      version int NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE TABLE orchestration_tasks (
      id bigserial PRIMARY KEY,
      task_code text NOT NULL UNIQUE,
      sprint_id bigint,
      sprint_code text,
      title text NOT NULL,
      description text NOT NULL DEFAULT '',
      type text NOT NULL,
      status text NOT NULL,
      priority text NOT NULL,
      estimate_minutes int,
      required_capabilities text[] NOT NULL DEFAULT '{}',
      depends_on text[] NOT NULL DEFAULT '{}',
      assignee text,
      metadata jsonb NOT NULL DEFAULT '{}',
      version int NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`);
    // The list filters (sprint, status, assignee) page by task_code: one index each, keyset-ready.
    await q.query('CREATE INDEX orchestration_tasks_sprint_idx ON orchestration_tasks (sprint_code, task_code)');
    await q.query('CREATE INDEX orchestration_tasks_status_idx ON orchestration_tasks (status, task_code)');
    await q.query('CREATE INDEX orchestration_tasks_assignee_idx ON orchestration_tasks (assignee, task_code) WHERE assignee IS NOT NULL');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE orchestration_tasks');
    await q.query('DROP TABLE orchestration_sprints');
  }
}
