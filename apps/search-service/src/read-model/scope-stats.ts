import type { SearchScope } from '@orch/contracts';
import type { EntityManager } from 'typeorm';

interface Counter {
  scope: SearchScope;
  id: string;
  type: string;
  events: number;
  first: Date;
  last: Date;
}

/**
 * Per-scope, per-type event counts and time spans, summed over a batch in memory and added to
 * `search_scope_stats` with one upsert: summaries read a few rows instead of counting events.
 */
export class ScopeStats {
  private readonly counters = new Map<string, Counter>();

  add(scope: SearchScope, id: string, type: string, at: Date): void {
    const key = `${scope}\u0000${id}\u0000${type}`;
    const c = this.counters.get(key);
    if (!c) return void this.counters.set(key, { scope, id, type, events: 1, first: at, last: at });
    c.events++;
    if (at < c.first) c.first = at;
    if (at > c.last) c.last = at;
  }

  async save(tx: EntityManager): Promise<void> {
    if (this.counters.size === 0) return;
    const all = [...this.counters.values()];
    await tx.query(
      `INSERT INTO search_scope_stats AS s (scope, scope_id, event_type, events, first_at, last_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::timestamptz[], $6::timestamptz[])
       ON CONFLICT (scope, scope_id, event_type) DO UPDATE SET
         events = s.events + EXCLUDED.events,
         first_at = LEAST(s.first_at, EXCLUDED.first_at),
         last_at = GREATEST(s.last_at, EXCLUDED.last_at)`,
      [all.map((c) => c.scope), all.map((c) => c.id), all.map((c) => c.type), all.map((c) => c.events), all.map((c) => c.first.toISOString()), all.map((c) => c.last.toISOString())],
    );
  }
}

/**
 * A task moved to another sprint: its events follow it (SPRINT scope is "every task of the
 * sprint"), and the two sprints' statistics are recounted from their rows. Rare, so exact.
 */
export async function moveTaskToSprint(tx: EntityManager, taskCode: string, from: string | null, to: string | null): Promise<void> {
  await tx.query('UPDATE orchestration_events SET sprint_code = $2 WHERE task_code = $1 AND sprint_code IS DISTINCT FROM $2', [taskCode, to]);
  const sprints = [from, to].filter((s): s is string => s !== null);
  if (sprints.length === 0) return;
  await tx.query(`DELETE FROM search_scope_stats WHERE scope = 'SPRINT' AND scope_id = ANY($1)`, [sprints]);
  await tx.query(
    `INSERT INTO search_scope_stats (scope, scope_id, event_type, events, first_at, last_at)
     SELECT 'SPRINT', sprint_code, event_type, count(*), min(occurred_at), max(occurred_at)
     FROM orchestration_events WHERE sprint_code = ANY($1) GROUP BY sprint_code, event_type`,
    [sprints],
  );
}
