import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { SearchRoutes, type SearchQuery, type SearchResult } from '@orch/contracts';
import { DATA_SOURCE, LOGGER, REDIS, RpcHandler } from '@orch/service-kit';
import { ScopeVersionBumper } from '../index/scope-versions';
import { SearchCache } from './search-cache';
import { loadSearchConfig } from './search.config';
import { SearchEngine } from './search-engine';

export const SEARCH_ENV = Symbol('SEARCH_ENV');

/** `search` over NATS: the cache in front of the engine, and the version bumper on the projection's commits. */
@Injectable()
export class SearchRpc implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  readonly engine: SearchEngine;
  readonly cache: SearchCache;
  private readonly bumper: ScopeVersionBumper;
  private readonly cacheRedis: Redis;

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(REDIS) redis: Redis,
    @Inject(LOGGER) logger: Logger,
    @Inject(SEARCH_ENV) env: NodeJS.ProcessEnv,
  ) {
    const config = loadSearchConfig(env);
    this.engine = new SearchEngine(ds, { halfLifeHours: config.SEARCH_HALF_LIFE_HOURS, window: config.SEARCH_WINDOW, smallScope: config.SEARCH_SMALL_SCOPE });
    this.bumper = new ScopeVersionBumper(redis, logger);
    // The cached path is one MGET: on a connection of its own, sent at once rather than batched
    // for a turn of the event loop (auto-pipelining) or queued behind the projection's commands.
    this.cacheRedis = redis.duplicate({ enableAutoPipelining: false });
    this.cacheRedis.on('error', (e) => logger.warn({ err: e }, 'Redis error (search cache)'));
    this.cache = new SearchCache(this.cacheRedis, { ttlSeconds: config.SEARCH_CACHE_TTL_SECONDS, trusted: () => !this.bumper.owesEpoch }, logger);
  }

  /** Before the projections start (they start after init), so no commit escapes the bumper. */
  onModuleInit(): void {
    this.ds.subscribers.push(this.bumper);
  }

  /** A process that died between a COMMIT and its INCR left versions behind: start a new epoch. */
  async onApplicationBootstrap(): Promise<void> {
    await this.bumper.newEpoch();
  }

  async onModuleDestroy(): Promise<void> {
    await this.cacheRedis.quit().catch(() => this.cacheRedis.disconnect());
  }

  @RpcHandler(SearchRoutes.search)
  async search(query: SearchQuery): Promise<{ value: SearchResult }> {
    return { value: await this.cache.get(query, () => this.engine.search(query)) };
  }
}
