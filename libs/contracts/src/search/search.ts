import { z } from 'zod';
import { Actor } from '../common/actor';
import { queryRoute } from '../common/rpc';

export const SearchScope = z.enum(['SESSION', 'TASK', 'SPRINT', 'PROJECT']);
export type SearchScope = z.infer<typeof SearchScope>;

/** Query-string flags: `true`/`false`/`1`/`0` (a bare `z.coerce.boolean` would read "false" as true). */
const Flag = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
  .transform((v) => v === true || v === 'true' || v === '1')
  .default(false);

export const SEARCH_QUERY_MAX = 500;

/**
 * `GET /search`. `q` is web-search syntax (quoted phrases, `-term`, `or`); it is never a syntax
 * error. `id` names the session, task or sprint and is required unless the scope is PROJECT.
 */
export const SearchQuery = z
  .strictObject({
    q: z.string().trim().min(1, 'must not be empty').max(SEARCH_QUERY_MAX, `must be at most ${SEARCH_QUERY_MAX} characters`),
    scope: SearchScope.default('PROJECT'),
    id: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/, 'must be a session key, task code or sprint code (letters, digits, "_" or "-")')
      .optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    summary: Flag,
    noCache: Flag,
  })
  .superRefine((v, ctx) => {
    if (v.scope !== 'PROJECT' && !v.id) ctx.addIssue({ code: 'custom', path: ['id'], message: `is required for scope ${v.scope}` });
    if (v.scope === 'PROJECT' && v.id) ctx.addIssue({ code: 'custom', path: ['id'], message: 'must not be given for scope PROJECT' });
  });
export type SearchQuery = z.infer<typeof SearchQuery>;

export const SearchHit = z.object({
  seq: z.number().int(),
  id: z.string(),
  type: z.string(),
  aggregateType: z.string(),
  aggregateId: z.string(),
  sessionKey: z.string().nullable(),
  taskCode: z.string().nullable(),
  sprintCode: z.string().nullable(),
  occurredAt: z.string(),
  actor: Actor,
  /** Text rank × recency decay; only the order between hits of one answer is meaningful. */
  score: z.number(),
  /** The event's text with the matching words between `«` and `»`. */
  snippet: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type SearchHit = z.infer<typeof SearchHit>;

export const ScopeSummary = z.object({
  total: z.number().int(),
  firstAt: z.string().nullable(),
  lastAt: z.string().nullable(),
  byType: z.array(z.object({ type: z.string(), count: z.number().int(), firstAt: z.string(), lastAt: z.string() })),
});
export type ScopeSummary = z.infer<typeof ScopeSummary>;

export const SearchResult = z.object({
  q: z.string(),
  scope: SearchScope,
  id: z.string().nullable(),
  /** How the query was understood (Postgres tsquery text); empty when it held only stop-words. */
  parsed: z.string(),
  items: z.array(SearchHit),
  /** `scope-first`: every match of the scope was ranked; `newest-window`: the newest matches only (large scopes). */
  plan: z.enum(['scope-first', 'newest-window', 'empty']),
  /** How the matches were found: the scope's rows (`scope`), a newest-first walk, blocks of the log, or a GIN index. */
  route: z.enum(['scope', 'exact', 'walk', 'blocks', 'gin']).optional(),
  /** How many matches were ranked: every match of the scope (scope-first), at most `window` (newest-window). */
  ranked: z.number().int().nonnegative().optional(),
  /** newest-window only: K, the newest matches a large scope ranks (SEARCH_WINDOW). */
  window: z.number().int().positive().optional(),
  /** The scope's version the answer was computed at (it changes with every commit in the scope). */
  version: z.number().int(),
  cached: z.boolean(),
  summary: ScopeSummary.optional(),
});
export type SearchResult = z.infer<typeof SearchResult>;

export const SearchRoutes = {
  search: queryRoute('search-service', 'search', SearchQuery, SearchResult),
} as const;
