import { z } from 'zod';
import { loadConfig } from '@orch/config';

/** The search service's own variables (on top of the base ones every service reads). */
export const SearchConfig = z.object({
  /** Recency decay: an event this many hours older counts half as much for the same text match. */
  SEARCH_HALF_LIFE_HOURS: z.coerce.number().positive().max(100_000).default(72),
  /** How long a cached answer may live; the scope version makes it stale-proof, the TTL only bounds memory. */
  SEARCH_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(7 * 86_400).default(3_600),
  /** Large scopes rank only their newest K matches (recall@20 against exact ranking is measured). */
  SEARCH_WINDOW: z.coerce.number().int().min(20).max(100_000).default(500),
  /** A scope with at most this many events ranks every match (scope-first). */
  SEARCH_SMALL_SCOPE: z.coerce.number().int().min(0).max(10_000_000).default(5_000),
});
export type SearchConfig = z.infer<typeof SearchConfig>;

export const loadSearchConfig = (env: NodeJS.ProcessEnv = process.env): SearchConfig => loadConfig(SearchConfig, env);
