import { Inject, Injectable } from '@nestjs/common';
import type { ListTasksQuery, TaskPage, TaskView } from '@orch/contracts';
import { DATA_SOURCE } from '@orch/service-kit';
import type { DataSource } from 'typeorm';
import { OrchestrationTask } from './entities';
import { taskViewFromRow } from './views';

/** Reads of `orchestration_tasks`: parameterised, keyset-paged by task code. */
@Injectable()
export class TaskReadModel {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  async get(code: string): Promise<TaskView | null> {
    const row = await this.ds.getRepository(OrchestrationTask).findOne({ where: { taskCode: code } });
    return row && taskViewFromRow(row);
  }

  async list(q: ListTasksQuery): Promise<TaskPage> {
    const query = this.ds.getRepository(OrchestrationTask).createQueryBuilder('t').orderBy('t.task_code', 'ASC').limit(q.limit + 1);
    if (q.sprint) query.andWhere('t.sprint_code = :sprint', { sprint: q.sprint });
    if (q.status) query.andWhere('t.status = :status', { status: q.status });
    if (q.assignee) query.andWhere('t.assignee = :assignee', { assignee: q.assignee });
    if (q.after) query.andWhere('t.task_code > :after', { after: q.after });
    const rows = await query.getMany();
    const items = rows.slice(0, q.limit).map(taskViewFromRow);
    return { items, nextCursor: rows.length > q.limit ? items[items.length - 1]!.code : null };
  }

  async metadataOf(code: string): Promise<Record<string, unknown>> {
    // On every task update's answer: plain SQL, without building a query each time.
    const rows: Array<{ metadata: Record<string, unknown> }> = await this.ds.query('SELECT metadata FROM orchestration_tasks WHERE task_code = $1', [code]);
    return rows[0]?.metadata ?? {};
  }

  async countInSprint(sprintCode: string): Promise<number> {
    return this.ds.getRepository(OrchestrationTask).count({ where: { sprintCode } });
  }
}
