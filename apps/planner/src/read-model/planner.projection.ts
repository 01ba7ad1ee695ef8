import { SprintEvent, TaskEvent, type EventEnvelope } from '@orch/contracts';
import type { PgProjection } from '@orch/projections';
import type { EntityManager } from 'typeorm';
import { OrchestrationSprint, OrchestrationTask } from './entities';

/**
 * Sprints and tasks in one projection, so that a task's sprint row is always there before the
 * task that names it (one checkpoint, log order).
 */
export const plannerProjection: PgProjection = {
  kind: 'postgres',
  name: 'planner',
  tables: ['orchestration_tasks', 'orchestration_sprints'],
  async apply(commit, tx) {
    for (const envelope of commit.events) {
      if (envelope.aggregateType === 'sprint') await applySprint(tx, envelope, SprintEvent.parse(envelope));
      else if (envelope.aggregateType === 'task') await applyTask(tx, envelope, TaskEvent.parse(envelope));
    }
  },
};

async function applySprint(tx: EntityManager, env: EventEnvelope, event: SprintEvent): Promise<void> {
  const at = new Date(env.occurredAt);
  switch (event.type) {
    case 'orchestration.sprint.created': {
      const { code, title, goal, status } = event.data;
      await tx.insert(OrchestrationSprint, { sprintCode: code, title, goal, status, version: env.version, createdAt: at, updatedAt: at });
      return;
    }
    case 'orchestration.sprint.updated':
      await tx.update(OrchestrationSprint, { sprintCode: env.aggregateId }, { ...defined(event.data.changes), version: env.version, updatedAt: at });
      return;
    default: {
      const never: never = event;
      return never;
    }
  }
}

async function applyTask(tx: EntityManager, env: EventEnvelope, event: TaskEvent): Promise<void> {
  const at = new Date(env.occurredAt);
  switch (event.type) {
    case 'orchestration.task.created': {
      const { code, ...data } = event.data;
      await tx.insert(OrchestrationTask, { taskCode: code, ...data, sprintId: await sprintId(tx, data.sprintCode), version: env.version, createdAt: at, updatedAt: at });
      return;
    }
    case 'orchestration.task.updated': {
      const changes = defined(event.data.changes);
      const sprint = 'sprintCode' in changes ? { sprintId: await sprintId(tx, changes.sprintCode ?? null) } : {};
      await tx.update(OrchestrationTask, { taskCode: env.aggregateId }, { ...changes, ...sprint, version: env.version, updatedAt: at });
      return;
    }
    case 'orchestration.task.status_updated':
      await tx.update(OrchestrationTask, { taskCode: env.aggregateId }, { status: event.data.to, version: env.version, updatedAt: at });
      return;
    default: {
      const never: never = event;
      return never;
    }
  }
}

async function sprintId(tx: EntityManager, code: string | null): Promise<string | null> {
  if (!code) return null;
  const sprint = await tx.findOne(OrchestrationSprint, { where: { sprintCode: code }, select: { id: true } });
  return sprint?.id ?? null;
}

/** TypeORM refuses `undefined` values; an absent change is not a change. */
function defined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as never;
}
