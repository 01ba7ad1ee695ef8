import { BugEvent, TaskEvent, type EventEnvelope } from '@orch/contracts';
import type { PgProjection } from '@orch/projections';
import type { EntityManager } from 'typeorm';

/**
 * `session_task_facts` and `session_task_bugs` from the planner's and the bug service's events,
 * in log order with the checkpoint in the same transaction. Events this version cannot read are
 * skipped: these facts are advisory (titles, statuses, open bugs in briefings).
 */
export const factsProjection: PgProjection = {
  kind: 'postgres',
  name: 'session_facts',
  aggregateTypes: ['task', 'bug'],
  tables: ['session_task_facts', 'session_task_bugs'],
  async apply(commits, tx) {
    for (const envelope of commits.flatMap((c) => c.events)) {
      if (envelope.aggregateType === 'task') {
        const e = TaskEvent.safeParse(envelope);
        if (e.success) await applyTask(tx, envelope, e.data);
      } else if (envelope.aggregateType === 'bug') {
        const e = BugEvent.safeParse(envelope);
        if (e.success) await applyBug(tx, envelope, e.data);
      }
    }
  },
};

const COLUMNS: Record<string, string> = { title: 'title', description: 'description', type: 'type', estimateMinutes: 'estimate_minutes', sprintCode: 'sprint_code' };

async function applyTask(tx: EntityManager, env: EventEnvelope, event: TaskEvent): Promise<void> {
  switch (event.type) {
    case 'orchestration.task.created': {
      const d = event.data;
      await tx.query(
        `INSERT INTO session_task_facts (task_code, sprint_code, title, description, type, status, estimate_minutes) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (task_code) DO NOTHING`,
        [d.code, d.sprintCode, d.title, d.description, d.type, d.status, d.estimateMinutes],
      );
      return;
    }
    case 'orchestration.task.updated': {
      const set = Object.entries(event.data.changes).filter(([k, v]) => COLUMNS[k] && v !== undefined);
      if (!set.length) return;
      await tx.query(`UPDATE session_task_facts SET ${set.map(([k], i) => `${COLUMNS[k]} = $${i + 2}`).join(', ')} WHERE task_code = $1`, [env.aggregateId, ...set.map(([, v]) => v)]);
      return;
    }
    case 'orchestration.task.status_updated':
      await tx.query(`UPDATE session_task_facts SET status = $2 WHERE task_code = $1`, [env.aggregateId, event.data.to]);
      return;
    default: {
      const never: never = event;
      return never;
    }
  }
}

async function applyBug(tx: EntityManager, env: EventEnvelope, event: BugEvent): Promise<void> {
  const occur = (taskCode: string | null, message: string, reopen: boolean) =>
    tx.query(
      `UPDATE session_task_bugs SET occurrence_count = occurrence_count + 1, message = $2, last_seen = $3,
         status = CASE WHEN $5 THEN 'OPEN' ELSE status END,
         tasks = CASE WHEN $4::text IS NULL OR $4::text = ANY(tasks) THEN tasks ELSE array_append(tasks, $4::text) END
       WHERE bug_hash = $1`,
      [env.aggregateId, message, env.occurredAt, taskCode, reopen],
    );
  switch (event.type) {
    case 'orchestration.bug.logged': {
      const d = event.data;
      await tx.query(
        `INSERT INTO session_task_bugs (bug_hash, message, category, status, occurrence_count, last_seen, tasks) VALUES ($1, $2, $3, 'OPEN', 1, $4, $5) ON CONFLICT (bug_hash) DO NOTHING`,
        [env.aggregateId, d.message, d.category, env.occurredAt, d.taskCode ? [d.taskCode] : []],
      );
      return;
    }
    case 'orchestration.bug.occurred':
      await occur(event.data.taskCode, event.data.message, false);
      return;
    case 'orchestration.bug.regressed':
      await occur(event.data.taskCode, event.data.message, true);
      return;
    case 'orchestration.bug.resolved':
      await tx.query(`UPDATE session_task_bugs SET status = 'RESOLVED' WHERE bug_hash = $1`, [env.aggregateId]);
      return;
    default: {
      const never: never = event;
      return never;
    }
  }
}
