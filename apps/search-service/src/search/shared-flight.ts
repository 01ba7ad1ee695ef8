import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Deletes the lock only while it is still ours (after a slow computation another process may hold it). */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export interface FlightOptions {
  /** How long a lock outlives a holder that died; a computation slower than this may run twice. */
  lockMs: number;
}

/**
 * One computation per cache key across every process that shares the Redis: the first to
 * `SET lock NX PX` computes and stores; the others poll for the stored answer, and take over
 * when the lock disappears without one (the holder failed, or died and its lock expired).
 * Waiters in the same process share the leader's promise instead of polling.
 */
export class SharedFlight<T> {
  private readonly local = new Map<string, Promise<T>>();
  private readonly token = randomUUID();

  constructor(
    private readonly redis: Redis,
    private readonly opts: FlightOptions,
  ) {}

  /**
   * `stored()` reads the answer another process stored (null when absent); `compute()` computes
   * and stores it. `lockKey` must name the generation, so a new version is never held up by an old one.
   */
  run(lockKey: string, stored: () => Promise<T | null>, compute: () => Promise<T>): Promise<T> {
    const pending = this.local.get(lockKey);
    if (pending) return pending;
    const run = this.lead(lockKey, stored, compute).finally(() => this.local.delete(lockKey));
    this.local.set(lockKey, run);
    return run;
  }

  private async lead(lockKey: string, stored: () => Promise<T | null>, compute: () => Promise<T>): Promise<T> {
    for (let pause = 2; ; pause = Math.min(pause * 2, 25)) {
      // Redis failing: compute here rather than fail the search.
      const got = await this.redis.set(lockKey, this.token, 'PX', this.opts.lockMs, 'NX').catch(() => 'OK');
      if (got === 'OK') return this.computeHolding(lockKey, compute);
      for (;;) {
        await new Promise((r) => setTimeout(r, pause));
        // The lock is read before the answer (one connection keeps the order): a holder stores,
        // then releases, so a released lock with no answer means there is none.
        const [held, answer] = await Promise.all([this.redis.exists(lockKey), stored()]).catch(() => [0, null] as const);
        if (answer !== null) return answer;
        if (!held) break; // the holder is gone without an answer: take over
        pause = Math.min(pause * 2, 25);
      }
    }
  }

  private async computeHolding(lockKey: string, compute: () => Promise<T>): Promise<T> {
    try {
      return await compute();
    } finally {
      await this.redis.eval(RELEASE, 1, lockKey, this.token).catch(() => undefined);
    }
  }
}
