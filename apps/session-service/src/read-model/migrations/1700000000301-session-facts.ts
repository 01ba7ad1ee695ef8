import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What sessions need of other services' aggregates, kept from their events (SPEC §2: a service
 * may keep any read model of others' events): task facts and bugs by task, so a briefing needs
 * no request to the planner or the bug service.
 */
export class SessionFacts1700000000301 implements MigrationInterface {
  name = 'SessionFacts1700000000301';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE session_task_facts (
      task_code text PRIMARY KEY,
      sprint_code text,
      title text NOT NULL,
      description text NOT NULL DEFAULT '',
      type text NOT NULL,
      status text NOT NULL,
      estimate_minutes int
    )`);
    await q.query(`CREATE TABLE session_task_bugs (
      bug_hash text PRIMARY KEY,
      message text NOT NULL,
      category text NOT NULL,
      status text NOT NULL,
      occurrence_count int NOT NULL,
      last_seen timestamptz NOT NULL,
      tasks text[] NOT NULL DEFAULT '{}'
    )`);
    await q.query(`CREATE INDEX session_task_bugs_tasks ON session_task_bugs USING gin (tasks)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE session_task_bugs');
    await q.query('DROP TABLE session_task_facts');
  }
}
