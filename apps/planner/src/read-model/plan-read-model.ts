import { Inject, Injectable } from '@nestjs/common';
import type { PlanView } from '@orch/contracts';
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
}
