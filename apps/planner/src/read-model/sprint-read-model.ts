import { Inject, Injectable } from '@nestjs/common';
import type { ListSprintsQuery, SprintPage, SprintView } from '@orch/contracts';
import { DATA_SOURCE } from '@orch/service-kit';
import type { DataSource } from 'typeorm';
import { OrchestrationSprint } from './entities';
import { sprintViewFromRow } from './views';

const WITH_TASK_COUNT = `(SELECT count(*)::int FROM orchestration_tasks t WHERE t.sprint_code = s.sprint_code)`;

@Injectable()
export class SprintReadModel {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  async get(code: string): Promise<SprintView | null> {
    const page = await this.query().where('s.sprint_code = :code', { code }).getRawAndEntities();
    const row = page.entities[0];
    return row ? sprintViewFromRow(row, Number(page.raw[0].task_count)) : null;
  }

  async list(q: ListSprintsQuery): Promise<SprintPage> {
    const query = this.query().orderBy('s.sprint_code', 'ASC').limit(q.limit + 1);
    if (q.status) query.andWhere('s.status = :status', { status: q.status });
    if (q.after) query.andWhere('s.sprint_code > :after', { after: q.after });
    const { entities, raw } = await query.getRawAndEntities();
    const items = entities.slice(0, q.limit).map((row, i) => sprintViewFromRow(row, Number(raw[i].task_count)));
    return { items, nextCursor: entities.length > q.limit ? items[items.length - 1]!.code : null };
  }

  private query() {
    return this.ds.getRepository(OrchestrationSprint).createQueryBuilder('s').addSelect(WITH_TASK_COUNT, 'task_count');
  }
}
