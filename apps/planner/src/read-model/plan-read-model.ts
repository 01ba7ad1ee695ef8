import { Inject, Injectable } from '@nestjs/common';
import type { ListPlansQuery, PlanPage, PlanView } from '@orch/contracts';
import { DATA_SOURCE } from '@orch/service-kit';
import type { DataSource } from 'typeorm';

interface PlanRow {
  plan_id: string;
  goal: string;
  template: string;
  params: Record<string, string>;
  decomposer: string;
  status: PlanView['status'];
  sprint_code: string | null;
  tasks: Array<Omit<PlanView['tasks'][number], 'taskCode'>>;
  analysis: PlanView['analysis'];
  task_codes: Record<string, string>;
  version: number;
  created_at: Date;
  updated_at: Date;
}

interface PlanSummaryRow {
  id: string;
  plan_id: string;
  goal: string;
  template: string;
  status: PlanView['status'];
  sprint_code: string | null;
  task_count: number;
  critical_path_minutes: number;
  total_effort_minutes: number;
  valid: boolean;
  created_at: Date;
  updated_at: Date;
}

/** Reads of `orchestration_plans`. */
@Injectable()
export class PlanReadModel {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  async get(id: string): Promise<PlanView | null> {
    const [row]: PlanRow[] = await this.ds.query('SELECT * FROM orchestration_plans WHERE plan_id = $1', [id]);
    if (!row) return null;
    return {
      id: row.plan_id,
      goal: row.goal,
      template: row.template,
      params: row.params,
      decomposer: row.decomposer,
      status: row.status,
      sprintCode: row.sprint_code,
      tasks: row.tasks.map((t) => ({ ...t, taskCode: row.task_codes[t.id] ?? null })),
      analysis: row.analysis,
      version: row.version,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    };
  }

  /** Newest first, keyset-paged on the row's serial; the analysis figures only, not the tasks. */
  async list(q: ListPlansQuery): Promise<PlanPage> {
    const rows: PlanSummaryRow[] = await this.ds.query(
      `SELECT id, plan_id, goal, template, status, sprint_code, (analysis->>'taskCount')::int AS task_count,
              (analysis->>'criticalPathMinutes')::float AS critical_path_minutes, (analysis->>'totalEffortMinutes')::float AS total_effort_minutes,
              (analysis->>'valid')::boolean AS valid, created_at, updated_at
         FROM orchestration_plans
        WHERE ($1::text IS NULL OR sprint_code = $1) AND ($2::text IS NULL OR status = $2) AND ($3::bigint IS NULL OR id < $3)
        ORDER BY id DESC LIMIT $4`,
      [q.sprint ?? null, q.status ?? null, q.after ?? null, q.limit + 1],
    );
    const items = rows.slice(0, q.limit).map((r) => ({
      id: r.plan_id,
      goal: r.goal,
      template: r.template,
      status: r.status,
      sprintCode: r.sprint_code,
      taskCount: r.task_count,
      criticalPathMinutes: r.critical_path_minutes,
      totalEffortMinutes: r.total_effort_minutes,
      valid: r.valid,
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
    }));
    return { items, nextCursor: rows.length > q.limit ? String(rows[q.limit - 1]!.id) : null };
  }
}
