import type { DataSource } from 'typeorm';
import { MatchEstimator } from './match-estimate';
import type { ScopeSummary, SearchHit, SearchQuery, SearchResult, SearchScope } from '@orch/contracts';

export type Plan = SearchResult['plan'];
type Route = NonNullable<SearchResult['route']>;
export type Computed = Omit<SearchResult, 'cached' | 'version'>;

export interface EngineOptions {
  halfLifeHours: number;
  /** Newest matches ranked in a large scope. */
  window: number;
  /** Largest scope (events) ranked exactly. */
  smallScope: number;
}

const SCOPE_COLUMN: Record<SearchScope, string | null> = { SESSION: 'session_key', TASK: 'task_code', SPRINT: 'sprint_code', PROJECT: null };

/** `«` `»` mark matches; two short fragments keep a hit to a line or two. */
const HEADLINE = 'StartSel=«, StopSel=», MaxWords=20, MinWords=6, MaxFragments=2, FragmentDelimiter=" … "';

interface Row {
  seq: string;
  event_id: string;
  event_type: string;
  entity_type: string;
  entity_id: string;
  session_key: string | null;
  task_code: string | null;
  sprint_code: string | null;
  occurred_at: Date;
  actor: SearchHit['actor'];
  payload: Record<string, unknown>;
  score: number;
  window_size: string;
  snippet: string | null;
}

/**
 * Full-text search over `orchestration_events` (SPEC §4.5). Relevance is ts_rank × 0.5^(age /
 * half-life), computed as a sum of logarithms so that old events never underflow to a tie.
 * Scope-size planning (the size comes from the scope's statistics): a scope of at most
 * `smallScope` events ranks all its matches, found through its own index (scope first); a larger
 * one ranks only its newest `window` matches (see `newestWindow`). Every plan is one statement
 * after a first one that parses the query and reads the scope's size.
 */
export class SearchEngine {
  private readonly estimator: MatchEstimator;

  constructor(
    private readonly ds: DataSource,
    private readonly opts: EngineOptions,
  ) {
    this.estimator = new MatchEstimator(ds);
  }

  async search(query: SearchQuery, planOverride?: 'exact' | 'newest-window'): Promise<Computed> {
    const scopeId = query.scope === 'PROJECT' ? '' : query.id!;
    const [head] = await this.ds.query(
      `SELECT websearch_to_tsquery('english', $1)::text AS parsed, numnode(websearch_to_tsquery('english', $1)) AS nodes,
         COALESCE((SELECT sum(events) FROM search_scope_stats WHERE scope = $2 AND scope_id = $3), 0)::bigint AS size`,
      [searchable(query.q), query.scope, scopeId],
    );
    const base = { q: query.q, scope: query.scope, id: query.id ?? null, parsed: head.parsed as string };
    const summary = query.summary ? await this.summary(query.scope, scopeId) : undefined;
    const size = Number(head.size);
    if (Number(head.nodes) === 0 || size === 0) return { ...base, items: [], plan: 'empty', ...(summary && { summary }) };
    const scope = { column: SCOPE_COLUMN[query.scope], id: scopeId };
    if (planOverride === 'exact' || (!planOverride && size <= this.opts.smallScope)) {
      const route = planOverride === 'exact' ? 'exact' : 'scope';
      const rows = await this.rank(base.parsed, scope, query.limit, route);
      return { ...base, items: rows.map(toHit), plan: 'scope-first', route, ranked: ranked(rows), ...(summary && { summary }) };
    }
    const { rows, route } = await this.newestWindow(base.parsed, scope, size, query.limit);
    return { ...base, items: rows.map(toHit), plan: 'newest-window', route, ranked: ranked(rows), window: this.opts.window, ...(summary && { summary }) };
  }

  /**
   * The newest `window` matches of a large scope, found by the cheapest of three routes (the
   * estimate comes from Postgres' statistics of the vector column):
   * - frequent terms: walk the scope's rows newest first and stop at `window` matches (cost ≈
   *   window / frequency rows, on sequential pages); a walk that finds its estimate wrong stops
   *   after `cap` rows and another route answers;
   * - the project: walk blocks of 16,384 sequence numbers newest first, each one scan of the
   *   (block, vector) GIN index, fetching only that block's matches, until `window` are found;
   * - other scopes: the scope's composite GIN index finds every match, and only those are sorted.
   */
  private async newestWindow(tsquery: string, scope: Scope, size: number, limit: number): Promise<{ rows: Row[]; route: Route }> {
    const f = await this.estimator.fraction(tsquery);
    const k = this.opts.window;
    const fallback = scope.column === null ? 'blocks' : 'gin';
    // A walk reads k / f rows; the GIN route fetches f × size matches scattered over the table
    // (about 8× dearer each); a block costs 16,384 × f fetches, so walks win above f ≈ 0.1.
    const walk = f !== null && (scope.column === null ? f >= 0.1 : k / f <= 8 * f * size);
    if (!walk) return { rows: await this.rank(tsquery, scope, limit, fallback), route: fallback };
    const cap = Math.min(size, Math.ceil((3 * k) / f));
    const rows = await this.rank(tsquery, scope, limit, 'walk', cap);
    if (ranked(rows) >= k || cap >= size) return { rows, route: 'walk' };
    return { rows: await this.rank(tsquery, scope, limit, fallback), route: fallback };
  }

  /** Counts by type and the time span, from the statistics the projection keeps (never a scan of events). */
  async summary(scope: SearchScope, scopeId: string): Promise<ScopeSummary> {
    const rows: Array<{ event_type: string; events: string; first_at: Date; last_at: Date }> = await this.ds.query(
      'SELECT event_type, events, first_at, last_at FROM search_scope_stats WHERE scope = $1 AND scope_id = $2 ORDER BY events DESC, event_type',
      [scope, scopeId],
    );
    const byType = rows.map((r) => ({ type: r.event_type, count: Number(r.events), firstAt: r.first_at.toISOString(), lastAt: r.last_at.toISOString() }));
    const first = byType.reduce<string | null>((m, t) => (m === null || t.firstAt < m ? t.firstAt : m), null);
    const last = byType.reduce<string | null>((m, t) => (m === null || t.lastAt > m ? t.lastAt : m), null);
    return { total: byType.reduce((n, t) => n + t.count, 0), firstAt: first, lastAt: last, byType };
  }

  /**
   * Ranks a set of matches and highlights the top ones, in one statement. The set: `scope` every
   * match of a small scope found through the scope's own index (the text test is written as
   * `ts_match_vq` so that Postgres cannot trade it for a scan of a frequent word's whole GIN
   * posting list); `exact` every match by any index; `walk` the newest matches among the newest
   * `cap` rows; `gin` the newest matches found through the GIN indexes; `blocks` the newest
   * matches of the project, block by block (a nested loop that stops at `window` rows).
   */
  private rank(tsquery: string, scope: Scope, limit: number, set: Route, cap = 0): Promise<Row[]> {
    const params: unknown[] = [tsquery, Math.LN2 / (this.opts.halfLifeHours * 3600), limit];
    const where = [set === 'scope' || set === 'walk' ? 'ts_match_vq(search_vector, $1::tsquery)' : 'search_vector @@ $1::tsquery'];
    if (scope.column) where.push(`${scope.column} = $${params.push(scope.id)}`);
    let source = `SELECT ${COLUMNS} FROM orchestration_events WHERE ${where.join(' AND ')}`;
    if (set === 'walk') {
      const recent = `SELECT ${COLUMNS} FROM orchestration_events ${scope.column ? `WHERE ${scope.column} = $4` : ''} ORDER BY seq DESC LIMIT $${params.push(cap)}`;
      source = `SELECT * FROM (${recent}) recent WHERE ts_match_vq(search_vector, $1::tsquery) ORDER BY seq DESC LIMIT $${params.push(this.opts.window)}`;
    } else if (set === 'gin') {
      source += ` ORDER BY seq DESC LIMIT $${params.push(this.opts.window)}`;
    } else if (set === 'blocks') {
      // `seq / 16384` is the expression of orchestration_events_search_idx (migration 1700000000210).
      const k = params.push(this.opts.window);
      source = `SELECT m.* FROM generate_series((SELECT max(seq) FROM orchestration_events) / 16384, 0, -1) AS block(n)
        CROSS JOIN LATERAL (SELECT ${COLUMNS} FROM orchestration_events WHERE (seq / 16384) = block.n AND search_vector @@ $1::tsquery ORDER BY seq DESC LIMIT $${k}) m
        LIMIT $${k}`;
    }
    // The window carries only what ranking needs; the top rows are joined back for their payloads.
    return this.ds.query(
      `WITH matches AS MATERIALIZED (${source}),
       top AS (
         SELECT seq, event_index, ln(greatest(ts_rank(${RANK_WEIGHTS}, search_vector, $1::tsquery, ${RANK_NORM}), 1e-9)) - extract(epoch FROM (now() - occurred_at)) * $2 AS logscore
         FROM matches ORDER BY logscore DESC, seq DESC, event_index DESC LIMIT $3
       )
       SELECT e.seq, e.event_id, e.event_type, e.entity_type, e.entity_id, e.session_key, e.task_code, e.sprint_code, e.occurred_at, e.actor, e.payload,
         exp(greatest(top.logscore, -700)) AS score, (SELECT count(*) FROM matches) AS window_size,
         ts_headline('english', left((SELECT string_agg(v #>> '{}', ' ') FROM jsonb_path_query(e.payload - '{${SNIPPET_SKIPS}}'::text[], 'strict $.** ? (@.type() == "string")') v), 4000), $1::tsquery, '${HEADLINE}') AS snippet
       FROM top JOIN orchestration_events e ON e.seq = top.seq AND e.event_index = top.event_index
       ORDER BY top.logscore DESC, top.seq DESC, top.event_index DESC`,
      params,
    );
  }
}

/** Identifiers every session event carries: shown as fields, not worth a place in the snippet. */
const SNIPPET_SKIPS = 'sessionKey,taskCode,sprintCode,agentId,phase,sha256,hash,shortHash,status';

/**
 * Weights of D (ids), C (payload), B (headline fields), A (type words). Flatter than Postgres'
 * default {0.1, 0.2, 0.4, 1.0}: a type-word match still counts double a payload one, but the
 * spread no longer outweighs days of recency, which keeps the newest-window plan's recall@20
 * above 0.9 (0.87 with the defaults on the recall fixture) at an unchanged nDCG.
 */
const RANK_WEIGHTS = `'{0.3,0.5,0.7,1.0}'::float4[]`;
const RANK_NORM = 0;

const COLUMNS = 'seq, event_index, occurred_at, search_vector';

interface Scope {
  column: string | null;
  id: string;
}

/** Control characters (a NUL byte is an error in Postgres text) become spaces; the rest is web-search syntax. */
function searchable(q: string): string {
  return q.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, ' ');
}

/** How many matches the statement ranked (every row carries the count of its set). */
const ranked = (rows: Row[]): number => (rows.length > 0 ? Number(rows[0]!.window_size) : 0);

function toHit(r: Row): SearchHit {
  return {
    seq: Number(r.seq),
    id: r.event_id,
    type: r.event_type,
    aggregateType: r.entity_type,
    aggregateId: r.entity_id,
    sessionKey: r.session_key,
    taskCode: r.task_code,
    sprintCode: r.sprint_code,
    occurredAt: r.occurred_at.toISOString(),
    actor: r.actor,
    score: Number(r.score),
    snippet: r.snippet ?? '',
    data: r.payload,
  };
}
