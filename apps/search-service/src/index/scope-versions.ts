import type { Redis } from 'ioredis';
import type { EntityManager, EntitySubscriberInterface, QueryRunner, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';
import type { SearchScope } from '@orch/contracts';
import type { Logger } from 'pino';

/** `SESSION:<key>`, `TASK:<code>`, `SPRINT:<code>`, `PROJECT:` — one cache generation each. */
export type ScopeRef = `${SearchScope}:${string}`;

export const scopeRef = (scope: SearchScope, id: string | null): ScopeRef => `${scope}:${scope === 'PROJECT' ? '' : (id ?? '')}`;

/** Scopes a projection transaction touched, kept until it commits (then bumped) or rolls back (then dropped). */
const touched = new WeakMap<QueryRunner, Set<ScopeRef>>();

/** Called by the projection inside its transaction. */
export function recordTouched(tx: EntityManager, scopes: Iterable<ScopeRef>): void {
  const runner = tx.queryRunner;
  if (!runner) throw new Error('the search projection must run inside a transaction');
  let set = touched.get(runner);
  if (!set) touched.set(runner, (set = new Set()));
  for (const s of scopes) set.add(s);
}

export const versionKey = (ref: ScopeRef) => `search:ver:${ref}`;
/** Bumped when versions may have missed a commit (start-up after a crash, Redis down at commit). */
export const EPOCH_KEY = 'search:epoch';
const BUMP_TIMEOUT_MS = 2_000;

/**
 * INCR that never hands out a number twice, even when Redis loses the key (eviction, a restart
 * without persistence, a flush): a key that INCR creates starts from Redis' clock in microseconds,
 * above anything an earlier life of the key reached (that would take more than one commit per
 * microsecond). A plain INCR would restart at 1 and meet entries cached under the old 1, 2, ….
 */
const BUMP = `local t = redis.call('TIME')
local ttl = tonumber(ARGV[1])
for _, k in ipairs(KEYS) do
  if redis.call('INCR', k) == 1 then
    redis.call('INCRBY', k, t[1] .. string.format('%06d', tonumber(t[2])))
    if ttl > 0 then redis.call('EXPIRE', k, ttl) end
  end
end
return #KEYS`;

/** Bumps `keys` (already prefixed by ioredis' keyPrefix like any other key argument). */
/**
 * `ttlSeconds` bounds a key this call creates: a read creates the version of any scope it is asked
 * about, real or not, and those keys must not pile up. When one expires, the next read starts a
 * new generation, so an entry cached before is never served (it only costs a recomputation).
 */
export const bump = (redis: Redis, keys: string[], ttlSeconds = 0): Promise<unknown> => redis.eval(BUMP, keys.length, ...keys, String(ttlSeconds));

/**
 * Increments each touched scope's version in Redis AFTER the Postgres commit: a reader that saw
 * the old version computed from the old rows or the new ones, and its answer is filed under the
 * old version, which no later reader asks for. Incrementing before the commit would let a reader
 * file old rows under the new version, stale for the whole TTL.
 *
 * It runs inside TypeORM's commit, before the projection advances its position, so a
 * read-your-writes read (which waits for that position) sees the new version. A Redis failure
 * never fails the commit: the epoch is owed and bumped once Redis answers again, which drops
 * every entry; until then `owesEpoch` tells this process's cache to answer uncached.
 */
export class ScopeVersionBumper implements EntitySubscriberInterface {
  private owed = false;

  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
    private readonly retryMs = 1_000,
  ) {}

  /** True while a commit's versions may not have been bumped: cached answers may be stale. */
  get owesEpoch(): boolean {
    return this.owed;
  }

  async afterTransactionCommit(event: TransactionCommitEvent): Promise<void> {
    const scopes = touched.get(event.queryRunner);
    touched.delete(event.queryRunner);
    if (!scopes || scopes.size === 0) return;
    try {
      // Bounded: a Redis that is restarting can leave a command unanswered, and this runs inside
      // the projection's commit; a projection must never wait on its cache.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        bump(this.redis, [...scopes].map(versionKey)),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`Redis did not answer the version bump within ${BUMP_TIMEOUT_MS} ms`)), BUMP_TIMEOUT_MS))),
      ]).finally(() => clearTimeout(timer));
    } catch (error) {
      this.logger.warn({ err: error }, 'cannot bump search cache versions; the cache is dropped when Redis answers again');
      this.oweEpoch();
    }
  }

  /** Start-up: versions may have missed the commits of a process that died between COMMIT and INCR. */
  async newEpoch(): Promise<void> {
    await bump(this.redis, [EPOCH_KEY]).catch(() => this.oweEpoch());
  }

  private oweEpoch(): void {
    if (this.owed) return;
    this.owed = true;
    const retry = () =>
      bump(this.redis, [EPOCH_KEY]).then(
        () => (this.owed = false),
        () => setTimeout(retry, this.retryMs).unref(),
      );
    setTimeout(retry, this.retryMs).unref();
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    touched.delete(event.queryRunner);
  }
}
