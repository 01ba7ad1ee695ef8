import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `projection_checkpoints`: one row per Postgres projection, the last stream sequence it applied.
 * Every service lists this migration; IF NOT EXISTS makes the second one a no-op.
 */
export class ProjectionCheckpoints1700000000000 implements MigrationInterface {
  name = 'ProjectionCheckpoints1700000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE IF NOT EXISTS projection_checkpoints (
      name text PRIMARY KEY,
      position bigint NOT NULL DEFAULT 0,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(): Promise<void> {
    // Shared by every service: never dropped by one of them.
  }
}
