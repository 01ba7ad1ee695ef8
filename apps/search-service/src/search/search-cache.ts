import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { SearchQuery, SearchResult } from '@orch/contracts';
import { bump, EPOCH_KEY, scopeRef, versionKey } from '../index/scope-versions';
import type { Computed } from './search-engine';
import { SharedFlight } from './shared-flight';

export interface SearchCacheOptions {
  ttlSeconds: number;
  /** How long a computing process holds a query against others (see SharedFlight). */
  lockMs?: number;
  /** False while this process owes an epoch bump (a version bump failed): answer uncached. */
  trusted?: () => boolean;
}

/**
 * Redis cache of search answers that is never stale. An entry is stored with the generation it
 * was computed at (the epoch and the scope's version, which the projection increments after each
 * commit in the scope) and served only while that is still the current generation. One MGET reads
 * the epoch, the version and the entry: a cached answer costs one Redis round trip. The TTL only
 * bounds memory. Concurrent misses compute once across processes (SharedFlight).
 */
export class SearchCache {
  private readonly flight: SharedFlight<SearchResult>;
  private readonly trusted: () => boolean;

  constructor(
    private readonly redis: Redis,
    private readonly opts: SearchCacheOptions,
    private readonly logger: Logger,
  ) {
    this.flight = new SharedFlight(redis, { lockMs: opts.lockMs ?? 5_000 });
    this.trusted = opts.trusted ?? (() => true);
  }

  async get(query: SearchQuery, compute: () => Promise<Computed>): Promise<SearchResult> {
    const ref = scopeRef(query.scope, query.id ?? null);
    const key = `search:res:${ref}:${digest(query)}`;
    let read: Array<string | null>;
    try {
      read = await this.redis.mget(EPOCH_KEY, versionKey(ref), key);
    } catch (error) {
      this.logger.warn({ err: error }, 'search cache unavailable; answering uncached');
      return { ...(await compute()), version: 0, cached: false };
    }
    const [epoch, version, entry] = read;
    if (epoch === null || version === null) {
      // Lost (eviction, flush) or never bumped: an entry cannot be proved fresh. A new generation
      // (bump never reuses a number) makes the next answer cacheable.
      await Promise.all([epoch === null && bump(this.redis, [EPOCH_KEY]), version === null && bump(this.redis, [versionKey(ref)], this.opts.ttlSeconds)]).catch(() => undefined);
      return { ...(await compute()), version: Number(version ?? 0), cached: false };
    }
    if (query.noCache || !this.trusted()) return { ...(await compute()), version: Number(version), cached: false };
    const generation = `${epoch}:${version}`;
    const hit = fresh(entry ?? null, generation);
    if (hit) return hit;
    const stored = async () => fresh(await this.redis.get(key), generation);
    return this.flight.run(`search:lock:${ref}:${generation}:${key.slice(key.lastIndexOf(':') + 1)}`, stored, async () => {
      const result: SearchResult = { ...(await compute()), version: Number(version), cached: false };
      await this.redis.set(key, `${generation}\n${JSON.stringify(result)}`, 'EX', this.opts.ttlSeconds).catch((e) => this.logger.warn({ err: e }, 'cannot store a search answer'));
      return result;
    });
  }
}

/** The stored answer when it was computed at `generation`; an older one is never served. */
function fresh(entry: string | null, generation: string): SearchResult | null {
  if (entry === null || !entry.startsWith(`${generation}\n`)) return null;
  return { ...(JSON.parse(entry.slice(generation.length + 1)) as SearchResult), cached: true };
}

const digest = (q: SearchQuery) => createHash('sha256').update(JSON.stringify([q.q, q.limit, q.summary])).digest('base64url').slice(0, 22);
