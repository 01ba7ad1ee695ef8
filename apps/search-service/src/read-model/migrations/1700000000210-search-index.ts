import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The full-text index of the log (SPEC §4.5): a stored weighted tsvector per event; a GIN index
 * composite of the vector with each scope column (btree_gin puts the text and number columns in
 * a GIN index, so "this sprint's events matching q" is one index scan) and with the block of
 * 16,384 sequence numbers (so the project's "newest matches" is a walk over its newest blocks,
 * each one index scan, instead of fetching every match of a frequent word); and per-scope
 * statistics for summaries.
 *
 * One multi-column GIN index rather than one per scope: a GIN index answers conditions on any
 * subset of its columns, so it serves every scope the same way, while the vector's lexemes are
 * indexed once per row instead of four times (the dominant cost of each insert).
 *
 * Rows written before this migration have no vector, so the projection starts over: its rows and
 * checkpoint go, and it replays the log into the new shape (a read model is always rebuildable).
 */
export class SearchIndex1700000000210 implements MigrationInterface {
  name = 'SearchIndex1700000000210';

  async up(q: QueryRunner): Promise<void> {
    // In `public`, not the deployment schema: an extension is one per database, and a test's
    // schema being dropped must not take it (and every other schema's indexes) with it.
    await q.query(`SELECT pg_advisory_xact_lock(hashtext('orch-extension:btree_gin'))`);
    await q.query('CREATE EXTENSION IF NOT EXISTS btree_gin WITH SCHEMA public');
    await q.query(`ALTER TABLE orchestration_events ADD COLUMN search_vector tsvector NOT NULL DEFAULT ''::tsvector`);
    await q.query('CREATE INDEX orchestration_events_search_idx ON orchestration_events USING gin ((seq / 16384), session_key, task_code, sprint_code, search_vector)');
    await q.query(`CREATE TABLE search_scope_stats (
      scope text NOT NULL,
      scope_id text NOT NULL,
      event_type text NOT NULL,
      events bigint NOT NULL,
      first_at timestamptz NOT NULL,
      last_at timestamptz NOT NULL,
      PRIMARY KEY (scope, scope_id, event_type)
    )`);
    // Nothing reads by these (the type filter of GET /events is a regex, which a btree cannot
    // serve); every index costs each insert, and the index above makes inserts dearer already.
    await q.query('DROP INDEX orchestration_events_type_idx');
    await q.query('DROP INDEX orchestration_events_entity_idx');
    await q.query('TRUNCATE orchestration_events, search_task_scopes');
    await q.query(`DELETE FROM projection_checkpoints WHERE name = 'search_events'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX orchestration_events_type_idx ON orchestration_events (event_type, seq)');
    await q.query('CREATE INDEX orchestration_events_entity_idx ON orchestration_events (entity_type, entity_id, seq)');
    await q.query('DROP TABLE search_scope_stats');
    await q.query('DROP INDEX orchestration_events_search_idx');
    await q.query('ALTER TABLE orchestration_events DROP COLUMN search_vector');
  }
}
