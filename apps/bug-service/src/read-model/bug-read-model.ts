import { Inject, Injectable } from '@nestjs/common';
import type { BugCategory, BugPage, BugStatus, BugView, ListBugsQuery } from '@orch/contracts';
import { DATA_SOURCE } from '@orch/service-kit';
import type { DataSource } from 'typeorm';
import { OrchestrationBug } from './entities';

/** Reads of `orchestration_bugs`, parameterised. */
@Injectable()
export class BugReadModel {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  async get(hash: string): Promise<BugView | null> {
    const row = await this.ds.getRepository(OrchestrationBug).findOne({ where: { bugHash: hash } });
    return row && bugViewFromRow(row);
  }

  async list(q: ListBugsQuery): Promise<BugPage> {
    const query = this.ds.getRepository(OrchestrationBug).createQueryBuilder('b').orderBy('b.updated_at', 'DESC').addOrderBy('b.bug_hash', 'ASC').limit(q.limit);
    if (q.task) query.andWhere(`b.context->'tasks' ? :task`, { task: q.task });
    if (q.status) query.andWhere('b.status = :status', { status: q.status });
    return { items: (await query.getMany()).map(bugViewFromRow) };
  }
}

export function bugViewFromRow(row: OrchestrationBug): BugView {
  const c = row.context as Record<string, never>;
  return {
    hash: row.bugHash,
    fingerprintVersion: c.fingerprint_version,
    errorClass: c.error_type,
    template: c.template,
    category: row.category as BugCategory,
    message: row.errorMessage,
    file: row.filePath,
    line: row.lineNumber,
    status: row.status as BugStatus,
    occurrenceCount: c.occurrence_count,
    regressionCount: c.regression_count,
    firstSeen: c.first_seen,
    lastSeen: c.last_seen,
    lastTaskCode: c.last_task_code,
    tasks: c.tasks,
    sessions: c.sessions,
    agents: c.agents,
    version: row.version,
  };
}
