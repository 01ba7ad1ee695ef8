import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { ConfigError, loadConfig, repoConfigDir } from '@orch/config';

/** The search service's own variables (on top of the base ones every service reads). */
export const SearchConfig = z.object({
  /** Recency decay: an event this many hours older counts half as much for the same text match. */
  SEARCH_HALF_LIFE_HOURS: z.coerce.number().positive().max(100_000).default(72),
  /**
   * How long a cached answer may live; the scope version makes it stale-proof, the TTL only bounds
   * memory. Default: `search.cache_ttl` of config/orchestration.yaml, else 3600.
   */
  SEARCH_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(7 * 86_400).default(3_600),
  /** Large scopes rank only their newest K matches (recall@20 against exact ranking is measured). */
  SEARCH_WINDOW: z.coerce.number().int().min(20).max(100_000).default(500),
  /** A scope with at most this many events ranks every match (scope-first). */
  SEARCH_SMALL_SCOPE: z.coerce.number().int().min(0).max(10_000_000).default(5_000),
});
export type SearchConfig = z.infer<typeof SearchConfig>;

/** The `search` keys of config/orchestration.yaml this service uses, with the same bounds as the session service's check of the whole file (orchestration-config.ts). */
const YamlSearch = z.object({ cache_ttl: z.number().int().min(1).max(7 * 86_400).optional() }).loose();

/**
 * The settings: an environment variable wins over config/orchestration.yaml (`ORCH_CONFIG_FILE`
 * names another file), which wins over the default. A bad value in either stops start-up, naming it.
 */
export function loadSearchConfig(env: NodeJS.ProcessEnv = process.env): SearchConfig {
  const dir = repoConfigDir('orchestration.yaml');
  const file = env.ORCH_CONFIG_FILE ?? (dir && join(dir, 'orchestration.yaml'));
  const ttl = file ? yamlCacheTtl(file) : undefined;
  return loadConfig(SearchConfig, { SEARCH_CACHE_TTL_SECONDS: ttl === undefined ? undefined : String(ttl), ...definedOnly(env) });
}

function yamlCacheTtl(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError([`${file}: not valid YAML (${(error as Error).message.split('\n')[0]})`]);
  }
  const search = (doc as { search?: unknown } | null)?.search;
  if (search === undefined || search === null) return undefined;
  const parsed = YamlSearch.safeParse(search);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${['search', ...i.path].join('.')} in ${file}: ${i.message} (got ${JSON.stringify((search as Record<string, unknown>)[String(i.path[0])])})`));
  return parsed.data.cache_ttl;
}


const definedOnly = (env: NodeJS.ProcessEnv) => Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
