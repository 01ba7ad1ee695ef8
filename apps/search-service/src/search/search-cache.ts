import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { SearchQuery, SearchResult } from '@orch/contracts';
import { EPOCH_KEY, scopeRef, versionKey } from '../index/scope-versions';
import type { Computed } from './search-engine';

/**
 * Redis cache of search answers that is never stale: the key holds the scope's version, which
 * the projection increments after each commit in the scope, and the epoch, bumped when versions
 * may have missed commits. A new event therefore changes the key; the TTL only bounds memory.
 * Concurrent misses for one key in this process share one computation.
 */
export class SearchCache {
  private readonly inflight = new Map<string, Promise<SearchResult>>();

  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
    private readonly logger: Logger,
  ) {}

  async get(query: SearchQuery, compute: () => Promise<Computed>): Promise<SearchResult> {
    const generation = await this.generation(query);
    if (generation === null) return { ...(await compute()), version: 0, cached: false }; // Redis down: answer anyway
    if (query.noCache) return { ...(await compute()), version: generation.version, cached: false };
    const key = this.key(query, generation);
    const hit = await this.redis.get(key).catch(() => null);
    if (hit) return { ...(JSON.parse(hit) as SearchResult), cached: true };
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const run = (async () => {
      const result: SearchResult = { ...(await compute()), version: generation.version, cached: false };
      await this.redis.set(key, JSON.stringify(result), 'EX', this.ttlSeconds).catch((e) => this.logger.warn({ err: e }, 'cannot store a search answer'));
      return result;
    })().finally(() => this.inflight.delete(key));
    this.inflight.set(key, run);
    return run;
  }

  private async generation(query: SearchQuery): Promise<{ epoch: number; version: number } | null> {
    try {
      const [epoch, version] = await this.redis.mget(EPOCH_KEY, versionKey(scopeRef(query.scope, query.id ?? null)));
      return { epoch: Number(epoch ?? 0), version: Number(version ?? 0) };
    } catch (error) {
      this.logger.warn({ err: error }, 'search cache unavailable; answering uncached');
      return null;
    }
  }

  private key(query: SearchQuery, g: { epoch: number; version: number }): string {
    const what = createHash('sha256').update(JSON.stringify([query.q, query.limit, query.summary])).digest('base64url').slice(0, 22);
    return `search:res:${scopeRef(query.scope, query.id ?? null)}:${g.epoch}:${g.version}:${what}`;
  }
}
