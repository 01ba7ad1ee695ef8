import { Inject, Injectable } from '@nestjs/common';
import type { ListWorkflowsQuery, TaskStatus, WorkflowPage } from '@orch/contracts';
import { DATA_SOURCE } from '@orch/service-kit';
import type { DataSource } from 'typeorm';
import type { MemberTask, WorkflowRow } from './workflow-status';

/** Reads of `orchestration_workflows`, its tasks in `orchestration_tasks`, and the runner's attempt counts. */
@Injectable()
export class WorkflowReadModel {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  async get(id: string): Promise<WorkflowRow | null> {
    const [r] = await this.ds.query('SELECT * FROM orchestration_workflows WHERE workflow_id = $1', [id]);
    if (!r) return null;
    return {
      id: r.workflow_id,
      planId: r.plan_id,
      sprintCode: r.sprint_code,
      status: r.status,
      taskCodes: r.task_codes,
      retry: r.retry,
      version: r.version,
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
    };
  }

  async tasks(codes: string[]): Promise<MemberTask[]> {
    const rows: Array<{ task_code: string; status: TaskStatus; estimate_minutes: number | null; depends_on: string[] }> = await this.ds.query(
      'SELECT task_code, status, estimate_minutes, depends_on FROM orchestration_tasks WHERE task_code = ANY($1)',
      [codes],
    );
    return rows.map((r) => ({ code: r.task_code, status: r.status, estimateMinutes: r.estimate_minutes, dependsOn: r.depends_on }));
  }

  /**
   * Runs made so far by each task that failed at least once: every failure was a run, and a run
   * under way or finished since the last failure (IN_PROGRESS, DONE) is one more. A task BLOCKED
   * after 2 failed runs made 2; one waiting for its retry (FAILED, READY, ASSIGNED) made as many as it failed.
   */
  async attempts(id: string): Promise<Record<string, number>> {
    const rows: Array<{ task_code: string; runs: number }> = await this.ds.query(
      `SELECT task_code, failures + CASE WHEN status IN ('IN_PROGRESS', 'DONE') THEN 1 ELSE 0 END AS runs
         FROM orchestration_workflow_tasks WHERE workflow_id = $1 AND failures > 0`,
      [id],
    );
    return Object.fromEntries(rows.map((r) => [r.task_code, r.runs]));
  }

  /** A RUNNING or PAUSED workflow over this plan or sprint, if any. */
  async activeOver(planId: string | null, sprintCode: string | null): Promise<string | null> {
    const [r] = await this.ds.query(
      `SELECT workflow_id FROM orchestration_workflows WHERE status IN ('RUNNING', 'PAUSED') AND (plan_id = $1 OR (plan_id IS NULL AND sprint_code = $2)) LIMIT 1`,
      [planId, sprintCode],
    );
    return r?.workflow_id ?? null;
  }

  /** Workflows (by the runner's membership) that hold a task. */
  /** The workflows a task belongs to, with the status the read model has of each. */
  async workflowsOf(taskCode: string): Promise<Array<{ id: string; status: string }>> {
    const rows: Array<{ workflow_id: string; status: string }> = await this.ds.query(
      'SELECT t.workflow_id, w.status FROM orchestration_workflow_tasks t JOIN orchestration_workflows w USING (workflow_id) WHERE t.task_code = $1',
      [taskCode],
    );
    return rows.map((r) => ({ id: r.workflow_id, status: r.status }));
  }

  /** Newest first, keyset-paged on the row's serial, with how many of each workflow's tasks are DONE or BLOCKED. */
  async list(q: ListWorkflowsQuery): Promise<WorkflowPage> {
    const rows: Array<{ id: string; workflow_id: string; plan_id: string | null; sprint_code: string | null; status: WorkflowPage['items'][number]['status']; task_count: number; done: string; blocked: string; created_at: Date; updated_at: Date }> =
      await this.ds.query(
        `SELECT w.id, w.workflow_id, w.plan_id, w.sprint_code, w.status, cardinality(w.task_codes) AS task_count, c.done, c.blocked, w.created_at, w.updated_at
           FROM orchestration_workflows w
           LEFT JOIN LATERAL (
             SELECT count(*) FILTER (WHERE t.status = 'DONE') AS done, count(*) FILTER (WHERE t.status = 'BLOCKED') AS blocked
               FROM orchestration_tasks t WHERE t.task_code = ANY(w.task_codes)
           ) c ON true
          WHERE ($1::text IS NULL OR w.sprint_code = $1) AND ($2::text IS NULL OR w.plan_id = $2) AND ($3::text IS NULL OR w.status = $3) AND ($4::bigint IS NULL OR w.id < $4)
          ORDER BY w.id DESC LIMIT $5`,
        [q.sprint ?? null, q.plan ?? null, q.status ?? null, q.after ?? null, q.limit + 1],
      );
    const items = rows.slice(0, q.limit).map((r) => ({
      id: r.workflow_id,
      planId: r.plan_id,
      sprintCode: r.sprint_code,
      status: r.status,
      taskCount: r.task_count,
      done: Number(r.done),
      blocked: Number(r.blocked),
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
    }));
    return { items, nextCursor: rows.length > q.limit ? String(rows[q.limit - 1]!.id) : null };
  }
}
