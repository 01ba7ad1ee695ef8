import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TaskEvent, WorkflowEvent, type EventEnvelope, type TaskStatus } from '@orch/contracts';
import type { PgProjection } from '@orch/projections';
import { ProjectionHost } from '@orch/service-kit';
import { TaskRepository } from '../tasks/task.repository';
import { backoffMs } from './workflow';
import { liveRun, WorkflowCommands } from './workflow-commands';

/**
 * The workflow process manager: a durable consumer of the log (a projection runner with its own
 * checkpoint and its own table, `orchestration_workflow_tasks`) that reacts to workflow and task
 * events with commands. A started workflow makes its tasks with no open dependency READY; a task
 * DONE makes its dependents READY; a FAILED task is retried after a backoff (due retries are
 * kept in the table and sent by the RetryPoller) and then BLOCKED; the last task closed completes the
 * workflow. Every command's id derives from the event that caused it, so a redelivered or
 * replayed event changes nothing twice.
 */
@Injectable()
export class WorkflowProcessManager implements OnModuleInit {
  constructor(
    private readonly host: ProjectionHost,
    private readonly tasks: TaskRepository,
    private readonly commands: WorkflowCommands,
  ) {}

  onModuleInit(): void {
    this.host.register(this.projection());
  }

  private projection(): PgProjection {
    return {
      kind: 'postgres',
      name: 'workflow_runner',
      aggregateTypes: ['workflow', 'task'],
      tables: ['orchestration_workflow_tasks', 'orchestration_workflow_runs'],
      apply: async (commits, tx) => {
        for (const env of commits.flatMap((c) => c.events)) {
          if (env.aggregateType === 'workflow') await this.onWorkflow(tx, env, WorkflowEvent.parse(env));
          else if (env.aggregateType === 'task') await this.onTask(tx, env, TaskEvent.parse(env));
        }
      },
    };
  }

  private async onWorkflow(tx: EntityManager, env: EventEnvelope, event: WorkflowEvent): Promise<void> {
    if (event.type !== 'orchestration.workflow.started') {
      const status = { 'orchestration.workflow.paused': 'PAUSED', 'orchestration.workflow.resumed': 'RUNNING', 'orchestration.workflow.cancelled': 'CANCELLED', 'orchestration.workflow.completed': 'COMPLETED' }[event.type];
      await tx.query('UPDATE orchestration_workflow_runs SET status = $2 WHERE workflow_id = $1', [env.aggregateId, status]);
      return;
    }
    const { id, retry, taskCodes } = event.data;
    await tx.query(`INSERT INTO orchestration_workflow_runs (workflow_id, status, retry) VALUES ($1, 'RUNNING', $2) ON CONFLICT DO NOTHING`, [id, JSON.stringify(retry)]);
    const members = await Promise.all(taskCodes.map(async (code) => ({ code, task: (await this.tasks.load(code)).state })));
    for (const { code, task } of members) {
      const status = task?.status ?? 'CANCELLED';
      await tx.query(
        `INSERT INTO orchestration_workflow_tasks (workflow_id, task_code, depends_on, closed, status) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
        [id, code, task?.dependsOn ?? [], isClosed(status), status],
      );
    }
    if ((await liveRun(tx, id)) === null) return; // replaying a workflow that has finished since
    // Only tasks whose dependencies in the workflow are DONE are tried; those with dependencies
    // outside it go through the task command, which looks them up.
    const statusOf = new Map(members.map(({ code, task }) => [code, task?.status]));
    const why = 'its workflow started and nothing it depends on is open';
    for (const { code, task } of members) {
      if (task?.status !== 'BACKLOG' || task.dependsOn.some((d) => statusOf.has(d) && statusOf.get(d) !== 'DONE')) continue;
      const meta = this.commands.metaFor(env, 'ready', code);
      if (task.dependsOn.every((d) => statusOf.has(d))) await this.commands.readyKnowingDependenciesDone(code, why, meta);
      else await this.commands.ready(code, why, meta);
    }
    await this.completeIfDone(tx, id, env);
  }

  private async onTask(tx: EntityManager, env: EventEnvelope, event: TaskEvent): Promise<void> {
    const code = env.aggregateId;
    if (event.type === 'orchestration.task.updated') {
      if (event.data.changes.dependsOn) await tx.query('UPDATE orchestration_workflow_tasks SET depends_on = $2 WHERE task_code = $1', [code, event.data.changes.dependsOn]);
      return;
    }
    if (event.type !== 'orchestration.task.status_updated') return;
    const { to } = event.data;
    // One statement records the new status and answers which live workflows hold the task.
    const rows = await updateReturning<{ workflow_id: string; run_status: string }>(
      tx,
      `UPDATE orchestration_workflow_tasks m SET status = $2, closed = $3, retry_due_at = CASE WHEN $3 THEN NULL ELSE m.retry_due_at END
         FROM orchestration_workflow_runs r WHERE m.task_code = $1 AND r.workflow_id = m.workflow_id
       RETURNING m.workflow_id, r.status AS run_status`,
      [code, to, isClosed(to)],
    );
    for (const { workflow_id: id, run_status: status } of rows) {
      if (isClosed(to) && (status === 'RUNNING' || status === 'PAUSED')) await this.completeIfDone(tx, id, env);
    }
    if (to === 'DONE') {
      // Dependents may sit in workflows that do not hold the task itself (a dependency across sprints).
      const waiting: Array<{ workflow_id: string }> = await tx.query(
        `SELECT DISTINCT m.workflow_id FROM orchestration_workflow_tasks m JOIN orchestration_workflow_runs r ON r.workflow_id = m.workflow_id
          WHERE m.depends_on @> ARRAY[$1]::text[] AND m.status = 'BACKLOG' AND r.status IN ('RUNNING', 'PAUSED')`,
        [code],
      );
      for (const { workflow_id: id } of waiting) await this.readyDependents(tx, id, code, env);
    }
    if (to === 'FAILED') await this.onFailure(tx, code, env);
  }

  /**
   * Dependents still in the BACKLOG whose dependencies in the workflow are all DONE. When every
   * dependency is in the workflow, this table already proves them DONE (DONE is final), so the
   * task is decided directly, without looking its dependencies up again; otherwise the task
   * command gathers the facts about the others.
   */
  private async readyDependents(tx: EntityManager, workflowId: string, done: string, env: EventEnvelope): Promise<void> {
    const rows: Array<{ task_code: string; all_inside: boolean }> = await tx.query(
      `SELECT m.task_code, cardinality(m.depends_on) = (SELECT count(*) FROM orchestration_workflow_tasks d
                                                          WHERE d.workflow_id = m.workflow_id AND d.task_code = ANY(m.depends_on)) AS all_inside
         FROM orchestration_workflow_tasks m
        WHERE m.workflow_id = $1 AND m.depends_on @> ARRAY[$2]::text[] AND m.status = 'BACKLOG'
          AND NOT EXISTS (SELECT 1 FROM orchestration_workflow_tasks d
                           WHERE d.workflow_id = m.workflow_id AND d.task_code = ANY(m.depends_on) AND d.status <> 'DONE')`,
      [workflowId, done],
    );
    for (const { task_code: code, all_inside: allInside } of rows) {
      const meta = this.commands.metaFor(env, 'ready', code);
      if (allInside) await this.commands.readyKnowingDependenciesDone(code, `${done} is done`, meta);
      else await this.commands.ready(code, `${done} is done`, meta);
    }
  }

  /** Counts the failure; schedules a retry while attempts remain, else BLOCKS the task with the reason. */
  private async onFailure(tx: EntityManager, code: string, env: EventEnvelope): Promise<void> {
    const rows = await updateReturning<{ workflow_id: string; failures: number }>(
      tx,
      'UPDATE orchestration_workflow_tasks SET failures = failures + 1 WHERE task_code = $1 AND NOT closed RETURNING workflow_id, failures',
      [code],
    );
    for (const { workflow_id: id, failures } of rows) {
      const workflow = await liveRun(tx, id);
      if (!workflow) continue;
      const { maxAttempts } = workflow.retry;
      if (failures < maxAttempts) {
        const due = new Date(new Date(env.occurredAt).getTime() + backoffMs(workflow.retry, failures));
        await tx.query('UPDATE orchestration_workflow_tasks SET retry_due_at = $3, retry_cause = $4 WHERE workflow_id = $1 AND task_code = $2', [id, code, due, env.id]);
      } else {
        const reason = `failed ${failures} time${failures > 1 ? 's' : ''}; the retry policy of workflow ${id} allows ${maxAttempts} attempt${maxAttempts > 1 ? 's' : ''}`;
        await this.commands.block(code, reason, this.commands.metaFor(env, 'block', code));
      }
    }
  }

  private async completeIfDone(tx: EntityManager, workflowId: string, env: EventEnvelope): Promise<void> {
    const [{ open }] = await tx.query('SELECT count(*)::int AS open FROM orchestration_workflow_tasks WHERE workflow_id = $1 AND NOT closed', [workflowId]);
    if (open === 0) await this.commands.complete(workflowId, this.commands.metaFor(env, 'complete', workflowId));
  }

}

/** TypeORM answers an UPDATE with `[rows, rowCount]`. */
async function updateReturning<T>(tx: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  const [rows] = (await tx.query(sql, params)) as [T[], number];
  return rows;
}

function isClosed(status: TaskStatus): boolean {
  return status === 'DONE' || status === 'CANCELLED';
}
