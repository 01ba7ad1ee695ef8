import type { EventEnvelope } from '@orch/contracts';
import { InsertBuffer, type PgProjection } from '@orch/projections';
import type { EntityManager } from 'typeorm';
import { OrchestrationEvent, SearchTaskScope } from './entities';

/**
 * Every event of the log, with the scope columns (session, task, sprint) filled in so that
 * scoped queries never have to look inside payloads. A batch of commits becomes one multi-row
 * INSERT; the task → sprint memory is read once per batch and written once per batch.
 */
export const eventsProjection: PgProjection = {
  kind: 'postgres',
  name: 'search_events',
  tables: ['orchestration_events', 'search_task_scopes'],
  async apply(commits, tx) {
    const scopes = await TaskScopes.load(tx, commits.flatMap((c) => c.events.map(taskCodeOf)));
    const inserts = new InsertBuffer(tx);
    for (const commit of commits) {
      for (const [index, e] of commit.events.entries()) {
        const taskCode = taskCodeOf(e);
        await inserts.add(OrchestrationEvent, {
          seq: commit.seq,
          eventIndex: index,
          eventId: e.id,
          eventType: e.type,
          entityType: e.aggregateType,
          entityId: e.aggregateId,
          sessionKey: stringField(e.data, 'sessionKey') ?? (e.aggregateType === 'session' ? e.aggregateId : null),
          taskCode,
          sprintCode: scopes.sprintOf(e, taskCode),
          version: e.version,
          actor: e.actor,
          correlationId: e.correlationId,
          payload: e.data,
          occurredAt: new Date(e.occurredAt),
        });
      }
    }
    await inserts.flush();
    await scopes.save(tx);
  },
};

/** Which sprint each task is in: remembered from the events that state it, used for those that do not. */
class TaskScopes {
  private readonly changed = new Map<string, string | null>();

  private constructor(private readonly known: Map<string, string | null>) {}

  static async load(tx: EntityManager, codes: Array<string | null>): Promise<TaskScopes> {
    const wanted = [...new Set(codes.filter((c): c is string => c !== null))];
    const rows = wanted.length ? await tx.query(`SELECT task_code, sprint_code FROM search_task_scopes WHERE task_code = ANY($1)`, [wanted]) : [];
    return new TaskScopes(new Map(rows.map((r: { task_code: string; sprint_code: string | null }) => [r.task_code, r.sprint_code])));
  }

  sprintOf(e: EventEnvelope, taskCode: string | null): string | null {
    if (e.aggregateType === 'sprint') return e.aggregateId;
    const stated = sprintFromTaskEvent(e);
    if (taskCode && stated !== undefined) {
      this.known.set(taskCode, stated);
      this.changed.set(taskCode, stated);
      return stated;
    }
    return stringField(e.data, 'sprintCode') ?? (taskCode ? (this.known.get(taskCode) ?? null) : null);
  }

  async save(tx: EntityManager): Promise<void> {
    if (this.changed.size === 0) return;
    const rows = [...this.changed].map(([taskCode, sprintCode]) => ({ taskCode, sprintCode }));
    await tx.upsert(SearchTaskScope, rows, ['taskCode']);
  }
}

function taskCodeOf(e: EventEnvelope): string | null {
  if (e.aggregateType === 'task') return e.aggregateId;
  return stringField(e.data, 'taskCode');
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
