import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import type { StoredCommit } from '@orch/contracts';
import { CHECKPOINT_TABLE, type PgProjection, type RedisProjection } from './projection';

/** A commit to apply, or a stream message that could not be read (it only advances the checkpoint). */
export type BatchItem = { seq: number; commit: StoredCommit } | { seq: number; commit: null };

/**
 * Commits in (from, to] that the read model ignores (none of its aggregate types): the runner moves
 * past them without a transaction each, and the next write carries them along. `from` is where the
 * store's checkpoint stood when the runner last wrote it: a store found below it lost writes (a
 * crash without a WAL flush) and must not jump, so that the runner rewinds and replays instead.
 */
export interface SkippedRun {
  from: number;
  to: number;
}

/** Where the checkpoint goes before the items are looked at: over the skipped run, when it can. */
export function startAfterSkip(stored: number, skip: SkippedRun | undefined): number {
  return skip && stored >= skip.from && stored < skip.to ? skip.to : stored;
}

class CheckpointElsewhere extends Error {}

/**
 * From the stored checkpoint: the commits to apply and where the checkpoint goes. Items at or
 * below the checkpoint are skipped (a redelivery); the run stops at the first gap.
 */
function planRun(stored: number, items: BatchItem[], skip: SkippedRun | undefined): { position: number; run: StoredCommit[] } {
  let position = startAfterSkip(stored, skip);
  const run: StoredCommit[] = [];
  for (const item of items) {
    if (item.seq <= position) continue;
    if (item.seq !== position + 1) break;
    if (item.commit) run.push(item.commit);
    position = item.seq;
  }
  return { position, run };
}

/**
 * Applies a contiguous run of commits to a read model and advances its checkpoint atomically.
 * Items at or below the stored checkpoint are skipped (a redelivery); the run stops at the first
 * gap (an item that is not checkpoint + 1), so commits are applied exactly once and in order.
 */
export interface Applier {
  /** The aggregate types the read model needs; undefined means every commit. */
  readonly aggregateTypes?: string[];
  readCheckpoint(): Promise<number>;
  /** `expected`: where the caller believes the stored checkpoint stands (what it last stored or read). */
  applyBatch(items: BatchItem[], skip?: SkippedRun, expected?: number): Promise<number>;
  /** Empties the read model and its checkpoint, for a rebuild from sequence 1. */
  reset(): Promise<void>;
  healthy(): Promise<boolean>;
}

export class PgApplier implements Applier {
  readonly aggregateTypes?: string[];

  constructor(
    private readonly ds: DataSource,
    private readonly projection: PgProjection,
  ) {
    this.aggregateTypes = projection.aggregateTypes;
  }

  async readCheckpoint(): Promise<number> {
    const rows: { position: string }[] = await this.ds.query(`SELECT position FROM ${CHECKPOINT_TABLE} WHERE name = $1`, [this.projection.name]);
    return rows[0] ? Number(rows[0].position) : 0;
  }

  async applyBatch(items: BatchItem[], skip?: SkippedRun, expected?: number): Promise<number> {
    if (expected !== undefined) {
      const applied = await this.applyExpecting(items, skip, expected);
      if (applied !== null) return applied;
    }
    return this.ds.transaction(async (tx) => {
      // One statement creates the row if needed, locks it and reads it: the lock serialises
      // appliers of the same projection, so the second one sees the first's checkpoint.
      const rows: { position: string }[] = await tx.query(
        `INSERT INTO ${CHECKPOINT_TABLE} (name, position) VALUES ($1, 0)
         ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING position`,
        [this.projection.name],
      );
      const { position, run } = planRun(Number(rows[0]!.position), items, skip);
      if (run.length > 0) await this.projection.apply(run, tx);
      await tx.query(`UPDATE ${CHECKPOINT_TABLE} SET position = $2, updated_at = now() WHERE name = $1`, [this.projection.name, position]);
      return position;
    });
  }

  /**
   * The usual case, one statement less: the checkpoint is where this runner left it, so the run
   * is planned from there and one UPDATE both moves the checkpoint and checks that it was there
   * (it takes the row lock, and a concurrent writer's change makes it match nothing). Null when
   * the checkpoint was elsewhere: nothing is written, and the locked path reads it and decides.
   */
  private async applyExpecting(items: BatchItem[], skip: SkippedRun | undefined, expected: number): Promise<number | null> {
    const { position, run } = planRun(expected, items, skip);
    try {
      return await this.ds.transaction(async (tx) => {
        const [, moved]: [unknown, number] = await tx.query(`UPDATE ${CHECKPOINT_TABLE} SET position = $3, updated_at = now() WHERE name = $1 AND position = $2`, [
          this.projection.name,
          expected,
          position,
        ]);
        if (moved !== 1) throw new CheckpointElsewhere();
        if (run.length > 0) await this.projection.apply(run, tx);
        return position;
      });
    } catch (error) {
      if (error instanceof CheckpointElsewhere) return null;
      throw error;
    }
  }

  async reset(): Promise<void> {
    await this.ds.transaction(async (tx) => {
      for (const table of this.projection.tables) await tx.query(`TRUNCATE TABLE ${table}`);
      await tx.query(`DELETE FROM ${CHECKPOINT_TABLE} WHERE name = $1`, [this.projection.name]);
    });
  }

  async healthy(): Promise<boolean> {
    return this.ds.query('SELECT 1').then(
      () => true,
      () => false,
    );
  }
}

/**
 * The Redis flavour: the checkpoint is a key; WATCH on it plus MULTI/EXEC make the writes and
 * the checkpoint one atomic step, and make a concurrent applier's EXEC fail instead of doubling.
 */
export class RedisApplier implements Applier {
  private readonly checkpointKey: string;
  readonly aggregateTypes?: string[];

  constructor(
    private readonly redis: Redis,
    private readonly projection: RedisProjection,
  ) {
    this.checkpointKey = `checkpoint:${projection.name}`;
    this.aggregateTypes = projection.aggregateTypes;
  }

  async readCheckpoint(): Promise<number> {
    return Number((await this.redis.get(this.checkpointKey)) ?? 0);
  }

  async applyBatch(items: BatchItem[], skip?: SkippedRun): Promise<number> {
    for (;;) {
      await this.redis.watch(this.checkpointKey);
      let position = startAfterSkip(await this.readCheckpoint(), skip);
      const multi = this.redis.multi();
      for (const item of items) {
        if (item.seq <= position) continue;
        if (item.seq !== position + 1) break;
        if (item.commit) await this.projection.apply(item.commit, multi, this.redis);
        position = item.seq;
      }
      multi.set(this.checkpointKey, String(position));
      const result = await multi.exec();
      if (result !== null) return position; // null: the checkpoint moved under us; read it again
    }
  }

  async reset(): Promise<void> {
    const prefix = this.redis.options.keyPrefix ?? '';
    for (const pattern of this.projection.keyPatterns) {
      let cursor = '0';
      do {
        const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${prefix}${pattern}`, 'COUNT', 500);
        cursor = next;
        // SCAN returns full keys; strip the prefix that ioredis adds back on DEL.
        if (keys.length > 0) await this.redis.del(...keys.map((k) => k.slice(prefix.length)));
      } while (cursor !== '0');
    }
    await this.redis.del(this.checkpointKey);
  }

  async healthy(): Promise<boolean> {
    return this.redis.ping().then(
      (r) => r === 'PONG',
      () => false,
    );
  }
}
