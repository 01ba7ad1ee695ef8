import { PlanEvent, TaskEvent, WorkflowEvent, type EventEnvelope } from '@orch/contracts';
import type { PgProjection } from '@orch/projections';
import type { EntityManager } from 'typeorm';

/**
 * `orchestration_plans`, `orchestration_workflows`, and the tracked time of every task created
 * from a plan (`orchestration_plan_tasks`), from which estimates learn: the active time the session
 * service tracked (`orchestration.session.end` activeMs, summed over the task's sessions) when there
 * is one, else the span IN_PROGRESS → DONE of the task's own events.
 */
export const plansProjection: PgProjection = {
  kind: 'postgres',
  name: 'plans',
  aggregateTypes: ['plan', 'workflow', 'task', 'session'],
  tables: ['orchestration_plans', 'orchestration_plan_tasks', 'orchestration_workflows'],
  async apply(commits, tx) {
    for (const env of commits.flatMap((c) => c.events)) {
      if (env.aggregateType === 'plan') await applyPlan(tx, env, PlanEvent.parse(env));
      else if (env.aggregateType === 'workflow') await applyWorkflow(tx, env, WorkflowEvent.parse(env));
      else if (env.type === 'orchestration.task.status_updated') await applyTaskTime(tx, env, TaskEvent.parse(env));
      else if (env.type === 'orchestration.session.end') await applySessionTime(tx, env);
    }
  },
};

async function applyPlan(tx: EntityManager, env: EventEnvelope, event: PlanEvent): Promise<void> {
  switch (event.type) {
    case 'orchestration.plan.created': {
      const d = event.data;
      await tx.query(
        `INSERT INTO orchestration_plans (plan_id, goal, template, params, decomposer, status, sprint_code, tasks, analysis, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'PROPOSED', $6, $7, $8, $9, $10, $10) ON CONFLICT (plan_id) DO NOTHING`,
        [d.id, d.goal, d.template, JSON.stringify(d.params), d.decomposer, d.sprintCode, JSON.stringify(d.tasks), JSON.stringify(d.analysis), env.version, env.occurredAt],
      );
      return;
    }
    case 'orchestration.plan.accepted': {
      const codes = JSON.stringify(event.data.taskCodes);
      await tx.query(`UPDATE orchestration_plans SET status = 'ACCEPTED', sprint_code = $2, task_codes = $3, version = $4, updated_at = $5 WHERE plan_id = $1`, [
        env.aggregateId,
        event.data.sprintCode,
        codes,
        env.version,
        env.occurredAt,
      ]);
      await tx.query(
        `INSERT INTO orchestration_plan_tasks (task_code, plan_id, plan_task_id, step)
         SELECT $2::jsonb ->> (t->>'id'), p.plan_id, t->>'id', t->>'step' FROM orchestration_plans p, jsonb_array_elements(p.tasks) t
          WHERE p.plan_id = $1 ON CONFLICT (task_code) DO NOTHING`,
        [env.aggregateId, codes],
      );
      return;
    }
    default: {
      const never: never = event;
      return never;
    }
  }
}

async function applyWorkflow(tx: EntityManager, env: EventEnvelope, event: WorkflowEvent): Promise<void> {
  if (event.type === 'orchestration.workflow.started') {
    const d = event.data;
    await tx.query(
      `INSERT INTO orchestration_workflows (workflow_id, plan_id, sprint_code, status, task_codes, retry, version, created_at, updated_at)
       VALUES ($1, $2, $3, 'RUNNING', $4, $5, $6, $7, $7) ON CONFLICT (workflow_id) DO NOTHING`,
      [d.id, d.planId, d.sprintCode, d.taskCodes, JSON.stringify(d.retry), env.version, env.occurredAt],
    );
    return;
  }
  const status = { 'orchestration.workflow.paused': 'PAUSED', 'orchestration.workflow.resumed': 'RUNNING', 'orchestration.workflow.cancelled': 'CANCELLED', 'orchestration.workflow.completed': 'COMPLETED' }[event.type];
  await tx.query('UPDATE orchestration_workflows SET status = $2, version = $3, updated_at = $4 WHERE workflow_id = $1', [env.aggregateId, status, env.version, env.occurredAt]);
}

/** The last start and the finish of a plan's task; a task never started has no tracked time. */
async function applyTaskTime(tx: EntityManager, env: EventEnvelope, event: TaskEvent): Promise<void> {
  if (event.type !== 'orchestration.task.status_updated') return;
  if (event.data.to === 'IN_PROGRESS') {
    await tx.query('UPDATE orchestration_plan_tasks SET started_at = $2 WHERE task_code = $1', [env.aggregateId, env.occurredAt]);
  } else if (event.data.to === 'DONE') {
    await tx.query(
      `UPDATE orchestration_plan_tasks SET finished_at = $2, actual_minutes = COALESCE(active_ms / 60000.0, extract(epoch FROM ($2::timestamptz - started_at)) / 60)
        WHERE task_code = $1 AND (started_at IS NOT NULL OR active_ms IS NOT NULL)`,
      [env.aggregateId, env.occurredAt],
    );
  }
}

/**
 * The session service's tracked time. Read defensively (only `taskCode` and `activeMs`), so that
 * this read model does not depend on the rest of the session event's shape.
 */
async function applySessionTime(tx: EntityManager, env: EventEnvelope): Promise<void> {
  const { taskCode, activeMs } = env.data as { taskCode?: unknown; activeMs?: unknown };
  if (typeof taskCode !== 'string' || typeof activeMs !== 'number' || !Number.isFinite(activeMs) || activeMs < 0) return;
  await tx.query(
    `UPDATE orchestration_plan_tasks SET active_ms = COALESCE(active_ms, 0) + $2,
        actual_minutes = CASE WHEN finished_at IS NULL THEN actual_minutes ELSE (COALESCE(active_ms, 0) + $2) / 60000.0 END
      WHERE task_code = $1`,
    [taskCode, Math.round(activeMs)],
  );
}
