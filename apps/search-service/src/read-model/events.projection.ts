import type { EventEnvelope } from '@orch/contracts';
import type { PgProjection } from '@orch/projections';
import type { EntityManager } from 'typeorm';
import { OrchestrationEvent, SearchTaskScope } from './entities';

/**
 * Every event of the log, with the scope columns (session, task, sprint) filled in so that
 * scoped queries never have to look inside payloads.
 */
export const eventsProjection: PgProjection = {
  kind: 'postgres',
  name: 'search_events',
  tables: ['orchestration_events', 'search_task_scopes'],
  async apply(commit, tx) {
    const rows: OrchestrationEvent[] = [];
    for (const [index, e] of commit.events.entries()) {
      const taskCode = taskCodeOf(e);
      const sprintCode = await sprintCodeOf(tx, e, taskCode);
      rows.push(tx.create(OrchestrationEvent, {
        seq: commit.seq,
        eventIndex: index,
        eventId: e.id,
        eventType: e.type,
        entityType: e.aggregateType,
        entityId: e.aggregateId,
        sessionKey: stringField(e.data, 'sessionKey') ?? (e.aggregateType === 'session' ? e.aggregateId : null),
        taskCode,
        sprintCode,
        version: e.version,
        actor: e.actor,
        correlationId: e.correlationId,
        payload: e.data,
        occurredAt: new Date(e.occurredAt),
      }));
    }
    await tx.insert(OrchestrationEvent, rows);
  },
};

function taskCodeOf(e: EventEnvelope): string | null {
  if (e.aggregateType === 'task') return e.aggregateId;
  return stringField(e.data, 'taskCode');
}

/** A task's sprint is remembered from the events that state it, and used for those that do not. */
async function sprintCodeOf(tx: EntityManager, e: EventEnvelope, taskCode: string | null): Promise<string | null> {
  if (e.aggregateType === 'sprint') return e.aggregateId;
  const stated = sprintFromTaskEvent(e);
  if (taskCode && stated !== undefined) {
    await tx.upsert(SearchTaskScope, { taskCode, sprintCode: stated }, ['taskCode']);
    return stated;
  }
  const explicit = stringField(e.data, 'sprintCode');
  if (explicit) return explicit;
  if (!taskCode) return null;
  return (await tx.findOne(SearchTaskScope, { where: { taskCode } }))?.sprintCode ?? null;
}

/** undefined: the event says nothing about the sprint; null: the task has no sprint (any more). */
function sprintFromTaskEvent(e: EventEnvelope): string | null | undefined {
  if (e.aggregateType !== 'task') return undefined;
  if (e.type === 'orchestration.task.created') return (e.data.sprintCode as string | null) ?? null;
  const changes = e.data.changes as Record<string, unknown> | undefined;
  if (changes && 'sprintCode' in changes) return (changes.sprintCode as string | null) ?? null;
  return undefined;
}

function stringField(data: Record<string, unknown>, key: string): string | null {
  const v = data[key];
  return typeof v === 'string' ? v : null;
}
