import { withoutPrivateFields, type EventEnvelope } from '@orch/contracts';
import type { PgProjection } from '@orch/projections';
import type { EntityManager } from 'typeorm';
import { scopeRef, recordTouched, type ScopeRef } from '../index/scope-versions';
import { searchDocument } from '../index/search-document';
import { ScopeStats } from './scope-stats';
import { TaskScopes } from './task-scopes';

/**
 * Every event of the log, with the scope columns (session, task, sprint) filled in so that
 * scoped queries never look inside payloads, its weighted full-text vector, and the per-scope
 * statistics, all in the transaction that advances the checkpoint. A batch of commits becomes
 * one INSERT over arrays (the vector is computed by Postgres in that statement) and one upsert
 * of statistics. Touched scopes get their cache version bumped after the commit.
 */
export const eventsProjection: PgProjection = {
  kind: 'postgres',
  name: 'search_events',
  tables: ['orchestration_events', 'search_task_scopes', 'search_scope_stats'],
  async apply(commits, tx) {
    // The index is rebuildable from the log and its checkpoint commits with it: a transaction lost
    // to a Postgres crash is re-applied from the log, so waiting for the WAL flush buys nothing.
    await tx.query('SET LOCAL synchronous_commit = off');
    const scopes = await TaskScopes.load(tx, commits.flatMap((c) => c.events.map(taskCodeOf)));
    const rows = new EventRows();
    const stats = new ScopeStats();
    const touched = new Set<ScopeRef>([scopeRef('PROJECT', null)]);
    for (const commit of commits) {
      for (const [index, e] of commit.events.entries()) {
        const taskCode = taskCodeOf(e);
        const sessionKey = sessionKeyOf(e);
        const sprintCode = scopes.sprintOf(e, taskCode);
        rows.add(commit.seq, index, e, sessionKey, taskCode, sprintCode);
        const at = new Date(e.occurredAt);
        stats.add('PROJECT', '', e.type, at);
        for (const [scope, id] of [['SESSION', sessionKey], ['TASK', taskCode], ['SPRINT', sprintCode]] as const) {
          if (!id) continue;
          stats.add(scope, id, e.type, at);
          touched.add(scopeRef(scope, id));
        }
      }
    }
    await rows.insert(tx);
    await mergePendingIndexEntries(tx);
    await stats.save(tx);
    for (const sprint of await scopes.save(tx)) touched.add(scopeRef('SPRINT', sprint));
    recordTouched(tx, touched);
  },
};

/**
 * A GIN index takes new rows into a pending list that every search then scans in full (up to
 * 4 MB by default, i.e. milliseconds per index scan, and the project's block walk scans it once
 * per block). Merging it at the end of each batch keeps searches off it and still merges entries
 * a batch at a time, which is what makes the pending list cheaper than direct inserts.
 */
async function mergePendingIndexEntries(tx: EntityManager): Promise<void> {
  await tx.query(`SELECT gin_clean_pending_list('orchestration_events_search_idx'::regclass)`);
}

/** Column arrays for `INSERT … SELECT … FROM unnest(…)`: one statement and 18 parameters per batch. */
class EventRows {
  private readonly cols: unknown[][] = Array.from({ length: 18 }, () => []);

  add(seq: number, index: number, e: EventEnvelope, sessionKey: string | null, taskCode: string | null, sprintCode: string | null): void {
    // This table serves every reader (search, GET /events): a private value is neither shown nor indexed.
    const data = withoutPrivateFields(e.type, e.data);
    const doc = searchDocument(e.type, data);
    const values = [seq, index, e.id, e.type, e.aggregateType, e.aggregateId, sessionKey, taskCode, sprintCode, e.version, JSON.stringify(e.actor), e.correlationId, JSON.stringify(data), e.occurredAt, doc.type, doc.head, doc.body, doc.ids];
    values.forEach((v, i) => this.cols[i]!.push(v));
  }

  async insert(tx: EntityManager): Promise<void> {
    const total = this.cols[0]!.length;
    for (let from = 0; from < total; from += 5_000) {
      const slice = this.cols.map((c) => c.slice(from, from + 5_000));
      await tx.query(
        `INSERT INTO orchestration_events (seq, event_index, event_id, event_type, entity_type, entity_id, session_key, task_code, sprint_code,
           version, actor, correlation_id, payload, occurred_at, search_vector)
         SELECT seq, idx, eid, etype, atype, aid, skey, tcode, scode, ver, actor, corr, payload, at,
           setweight(to_tsvector('english', a), 'A') || setweight(to_tsvector('english', b), 'B')
             || setweight(to_tsvector('english', c), 'C') || setweight(to_tsvector('english', d), 'D')
         FROM unnest($1::bigint[], $2::int[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
           $10::int[], $11::jsonb[], $12::text[], $13::jsonb[], $14::timestamptz[], $15::text[], $16::text[], $17::text[], $18::text[])
           AS t(seq, idx, eid, etype, atype, aid, skey, tcode, scode, ver, actor, corr, payload, at, a, b, c, d)`,
        slice,
      );
    }
  }
}

/** Session events name it `sessionKey`; bug occurrences name the reporting session `sessionId`. */
function sessionKeyOf(e: EventEnvelope): string | null {
  return stringField(e.data, 'sessionKey') ?? stringField(e.data, 'sessionId') ?? (e.aggregateType === 'session' ? e.aggregateId : null);
}

function taskCodeOf(e: EventEnvelope): string | null {
  if (e.aggregateType === 'task') return e.aggregateId;
  return stringField(e.data, 'taskCode');
}

export function stringField(data: Record<string, unknown>, key: string): string | null {
  const v = data[key];
  return typeof v === 'string' && v !== '' ? v : null;
}
