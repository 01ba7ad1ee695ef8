import type { EventEnvelope, StoredCommit } from '@orch/contracts';
import { createDataSource, runMigrations } from '@orch/database';
import { PgApplier, ProjectionCheckpoints1700000000000, type BatchItem } from '@orch/projections';
import { pgTestSchema } from '@orch/testing';
import type { DataSource } from 'typeorm';
import { OrchestrationEvent, SearchTaskScope } from '../read-model/entities';
import { eventsProjection } from '../read-model/events.projection';
import { EventsReadModel1700000000200 } from '../read-model/migrations/1700000000200-events-read-model';
import { SearchIndex1700000000210 } from '../read-model/migrations/1700000000210-search-index';

/**
 * A migrated schema of its own with the search projection applied directly (the same code the
 * live runner calls per batch), for tests that need many events fast and no NATS.
 */
export async function fixtureDb(): Promise<{ ds: DataSource; load(commits: Iterable<StoredCommit>): Promise<void>; close(): Promise<void> }> {
  const pg = await pgTestSchema();
  const ds = createDataSource({
    url: pg.url,
    schema: pg.schema,
    service: 'search-service',
    entities: [OrchestrationEvent, SearchTaskScope],
    migrations: [ProjectionCheckpoints1700000000000, EventsReadModel1700000000200, SearchIndex1700000000210],
  });
  await ds.initialize();
  await runMigrations(ds, pg.schema);
  const applier = new PgApplier(ds, eventsProjection);
  return {
    ds,
    async load(commits) {
      let batch: BatchItem[] = [];
      for (const commit of commits) {
        batch.push({ seq: commit.seq, commit });
        if (batch.length === 500) await applier.applyBatch(batch.splice(0));
      }
      if (batch.length) await applier.applyBatch(batch);
      batch = [];
      await ds.query('ANALYZE orchestration_events');
    },
    async close() {
      await ds.destroy();
      await pg.drop();
    },
  };
}

/** One commit per event, in order, the first at stream sequence `firstSeq` (later loads continue the log). */
export function commitsOf(events: Array<Omit<EventEnvelope, 'version' | 'commandId' | 'correlationId' | 'causationId' | 'schemaVersion' | 'actor'>>, firstSeq = 1): StoredCommit[] {
  const versions = new Map<string, number>();
  return events.map((e, j) => {
    const i = j + firstSeq - 1;
    const version = (versions.get(e.aggregateId) ?? 0) + 1;
    versions.set(e.aggregateId, version);
    const event: EventEnvelope = { ...e, version, actor: { kind: 'agent', id: 'a1' }, commandId: `c${i}`, correlationId: `c${i}`, causationId: null, schemaVersion: 1 };
    return { seq: i + 1, subject: `orch.evt.${e.aggregateType}.${e.aggregateId}`, time: e.occurredAt, events: [event] };
  });
}
