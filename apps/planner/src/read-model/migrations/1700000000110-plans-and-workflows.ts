import type { MigrationInterface, QueryRunner } from 'typeorm';

/** `orchestration_plans`, the step of each accepted task (what estimates learn from), and `orchestration_workflows`. */
export class PlansAndWorkflows1700000000110 implements MigrationInterface {
  name = 'PlansAndWorkflows1700000000110';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE orchestration_plans (
      id bigserial PRIMARY KEY,
      plan_id text NOT NULL UNIQUE,
      goal text NOT NULL,
      template text NOT NULL,
      params jsonb NOT NULL DEFAULT '{}',
      decomposer text NOT NULL,
      status text NOT NULL,
      sprint_code text,
      tasks jsonb NOT NULL,
      analysis jsonb NOT NULL,
      task_codes jsonb NOT NULL DEFAULT '{}',
      version int NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE TABLE orchestration_plan_tasks (
      task_code text PRIMARY KEY,
      plan_id text NOT NULL,
      plan_task_id text NOT NULL,
      step text NOT NULL,
      started_at timestamptz,
      finished_at timestamptz,
      actual_minutes double precision
    )`);
    await q.query('CREATE INDEX orchestration_plan_tasks_step_idx ON orchestration_plan_tasks (step, finished_at) WHERE actual_minutes IS NOT NULL');
    await q.query(`CREATE TABLE orchestration_workflows (
      id bigserial PRIMARY KEY,
      workflow_id text NOT NULL UNIQUE,
      plan_id text,
      sprint_code text,
      status text NOT NULL,
      task_codes text[] NOT NULL,
      retry jsonb NOT NULL,
      version int NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`);
    await q.query('CREATE INDEX orchestration_workflows_plan_idx ON orchestration_workflows (plan_id) WHERE plan_id IS NOT NULL');
    await q.query('CREATE INDEX orchestration_workflows_sprint_idx ON orchestration_workflows (sprint_code) WHERE sprint_code IS NOT NULL');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE orchestration_workflows');
    await q.query('DROP TABLE orchestration_plan_tasks');
    await q.query('DROP TABLE orchestration_plans');
  }
}
