import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Active time of a plan's task from the session service's time tracking (`orchestration.session.end` activeMs). */
export class PlanTaskActiveTime1700000000140 implements MigrationInterface {
  name = 'PlanTaskActiveTime1700000000140';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE orchestration_plan_tasks ADD COLUMN active_ms bigint');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE orchestration_plan_tasks DROP COLUMN active_ms');
  }
}
