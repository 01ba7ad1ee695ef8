import { SprintEvent, TaskEvent, type EventEnvelope } from '@orch/contracts';
import { InsertBuffer, type PgProjection } from '@orch/projections';
import type { EntityManager } from 'typeorm';
import { OrchestrationSprint, OrchestrationTask } from './entities';
import { applyTaskSessionMetadata } from './task-session-metadata';

/**
 * Sprints and tasks in one projection, so that a task's sprint row is always there before the
 * task that names it (one checkpoint, log order). Creations are batched into multi-row INSERTs;
 * every other change is flushed after them, in order.
 */
export const plannerProjection: PgProjection = {
  kind: 'postgres',
  name: 'planner',
  aggregateTypes: ['sprint', 'task', 'session'],
  tables: ['orchestration_tasks', 'orchestration_sprints'],
  async apply(commits, tx) {
    const inserts = new InsertBuffer(tx);
    const tasksWithSprint = new Set<string>();
    for (const envelope of commits.flatMap((c) => c.events)) {
      if (envelope.aggregateType === 'sprint') await applySprint(tx, inserts, envelope, SprintEvent.parse(envelope));
      else if (envelope.aggregateType === 'task') await applyTask(tx, inserts, envelope, TaskEvent.parse(envelope), tasksWithSprint);
      else if (envelope.aggregateType === 'session') await inserts.flush().then(() => applyTaskSessionMetadata(tx, envelope)); // sessions slice: task metadata
    }
    await inserts.flush();
    await linkSprints(tx, [...tasksWithSprint]);
  },
};

async function applySprint(tx: EntityManager, inserts: InsertBuffer, env: EventEnvelope, event: SprintEvent): Promise<void> {
  const at = new Date(env.occurredAt);
  switch (event.type) {
    case 'orchestration.sprint.created': {
      const { code, title, goal, status } = event.data;
      return inserts.add(OrchestrationSprint, { sprintCode: code, title, goal, status, version: env.version, createdAt: at, updatedAt: at });
    }
    case 'orchestration.sprint.updated':
      await inserts.flush();
      await tx.update(OrchestrationSprint, { sprintCode: env.aggregateId }, { ...defined(event.data.changes), version: env.version, updatedAt: at });
      return;
    default: {
      const never: never = event;
      return never;
    }
  }
}

async function applyTask(tx: EntityManager, inserts: InsertBuffer, env: EventEnvelope, event: TaskEvent, tasksWithSprint: Set<string>): Promise<void> {
  const at = new Date(env.occurredAt);
  switch (event.type) {
    case 'orchestration.task.created': {
      const { code, ...data } = event.data;
      if (data.sprintCode) tasksWithSprint.add(code);
      return inserts.add(OrchestrationTask, { taskCode: code, ...data, version: env.version, createdAt: at, updatedAt: at });
    }
    case 'orchestration.task.updated': {
      const changes = defined(event.data.changes);
      if ('sprintCode' in changes) tasksWithSprint.add(env.aggregateId);
      await inserts.flush();
      await tx.update(OrchestrationTask, { taskCode: env.aggregateId }, { ...changes, version: env.version, updatedAt: at });
      return;
    }
    case 'orchestration.task.status_updated':
      await inserts.flush();
      // The most frequent task event: plain SQL, without building a query each time.
      await tx.query('UPDATE orchestration_tasks SET status = $2, version = $3, updated_at = $4 WHERE task_code = $1', [env.aggregateId, event.data.to, env.version, at]);
      return;
    default: {
      const never: never = event;
      return never;
    }
  }
}

/** The seeds' `sprint_id` column, resolved once per batch for the tasks whose sprint was set. */
async function linkSprints(tx: EntityManager, taskCodes: string[]): Promise<void> {
  if (taskCodes.length === 0) return;
  await tx.query(
    `UPDATE orchestration_tasks t SET sprint_id = s.id
       FROM orchestration_tasks t2 LEFT JOIN orchestration_sprints s ON s.sprint_code = t2.sprint_code
      WHERE t.id = t2.id AND t.task_code = ANY($1) AND t.sprint_id IS DISTINCT FROM s.id`,
    [taskCodes],
  );
}

/** TypeORM refuses `undefined` values; an absent change is not a change. */
function defined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as never;
}
