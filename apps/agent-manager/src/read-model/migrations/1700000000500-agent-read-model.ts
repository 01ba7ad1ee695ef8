import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `orchestration_agents` (SPEC §8) for operators' SQL, the agent manager's own view of tasks
 * (`agent_task_queue`, from task events: what is READY and what it needs), and the spend per sprint.
 */
export class AgentReadModel1700000000500 implements MigrationInterface {
  name = 'AgentReadModel1700000000500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE orchestration_agents (
      agent_id text PRIMARY KEY,
      name text NOT NULL,
      type text NOT NULL,
      capabilities text[] NOT NULL DEFAULT '{}',
      unknown_capabilities text[] NOT NULL DEFAULT '{}',
      status text NOT NULL,
      load int NOT NULL DEFAULT 0,
      max_load int NOT NULL,
      priority int NOT NULL,
      permission text NOT NULL,
      cost_per_hour double precision NOT NULL,
      task_codes text[] NOT NULL DEFAULT '{}',
      spawned boolean NOT NULL DEFAULT false,
      pid int,
      last_assigned_at timestamptz,
      registered_at timestamptz NOT NULL,
      metadata jsonb NOT NULL DEFAULT '{}',
      version int NOT NULL,
      updated_at timestamptz NOT NULL
    )`);
    await q.query('CREATE INDEX orchestration_agents_status_idx ON orchestration_agents (status, type)');
    await q.query('CREATE INDEX orchestration_agents_tasks_idx ON orchestration_agents USING gin (task_codes)');
    await q.query(`CREATE TABLE agent_task_queue (
      task_code text PRIMARY KEY,
      sprint_code text,
      title text NOT NULL,
      type text NOT NULL,
      priority text NOT NULL,
      estimate_minutes int,
      required_capabilities text[] NOT NULL DEFAULT '{}',
      status text NOT NULL,
      assignee text,
      previous_assignee text,
      version int NOT NULL,
      ready_at timestamptz,
      updated_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX agent_task_queue_ready_idx ON agent_task_queue (ready_at) WHERE status = 'READY' AND assignee IS NULL`);
    await q.query(`CREATE TABLE agent_sprint_spend (sprint_code text PRIMARY KEY, spent double precision NOT NULL DEFAULT 0)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE agent_sprint_spend');
    await q.query('DROP TABLE agent_task_queue');
    await q.query('DROP TABLE orchestration_agents');
  }
}
