import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The seeds' `orchestration_bugs`: what varies per occurrence lives in `context` (jsonb), as operators' SQL expects. */
export class BugReadModel1700000000400 implements MigrationInterface {
  name = 'BugReadModel1700000000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE orchestration_bugs (
      id bigserial PRIMARY KEY,
      bug_hash text NOT NULL UNIQUE,
      task_code text,
      error_message text NOT NULL,
      file_path text,
      line_number int,
      status text NOT NULL,
      category text NOT NULL,
      context jsonb NOT NULL DEFAULT '{}',
      version int NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX orchestration_bugs_task_code ON orchestration_bugs (task_code)`);
    await q.query(`CREATE INDEX orchestration_bugs_status ON orchestration_bugs (status)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE orchestration_bugs');
  }
}
