import type { MigrationInterface, QueryRunner } from 'typeorm';

/** `orchestration_sessions`: one row per session, for operators' SQL and the service's lookups by task and agent. */
export class SessionReadModel1700000000300 implements MigrationInterface {
  name = 'SessionReadModel1700000000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE orchestration_sessions (
      id bigserial PRIMARY KEY,
      session_key text NOT NULL UNIQUE,
      task_code text NOT NULL,
      sprint_code text,
      template text NOT NULL,
      status text NOT NULL,
      current_phase text NOT NULL,
      agent_id text,
      actor_id text NOT NULL,
      started_at timestamptz NOT NULL,
      ended_at timestamptz,
      last_activity_at timestamptz NOT NULL,
      active_ms bigint NOT NULL DEFAULT 0,
      phase_history jsonb NOT NULL DEFAULT '[]',
      metadata jsonb NOT NULL DEFAULT '{}',
      version int NOT NULL,
      created_g bigint NOT NULL,
      last_activity_g bigint NOT NULL
    )`);
    await q.query(`CREATE INDEX orchestration_sessions_task ON orchestration_sessions (task_code, started_at DESC)`);
    await q.query(`CREATE INDEX orchestration_sessions_agent ON orchestration_sessions (agent_id) WHERE status = 'ACTIVE'`);
    await q.query(`CREATE INDEX orchestration_sessions_actor ON orchestration_sessions (actor_id, last_activity_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE orchestration_sessions');
  }
}
