import type { Redis, ChainableCommander } from 'ioredis';
import type { EntityManager } from 'typeorm';
import type { StoredCommit } from '@orch/contracts';

/**
 * A Postgres read model. `apply` runs inside the transaction that also advances the
 * checkpoint, so a commit's effect and the record of having applied it land together.
 */
export interface PgProjection {
  kind: 'postgres';
  /** Unique, stable; names the durable consumer and the checkpoint row. */
  name: string;
  /** Tables this projection owns; a rebuild empties them. */
  tables: string[];
  /** The aggregate types it reads; commits of others only advance its checkpoint, unparsed. */
  aggregateTypes?: string[];
  /**
   * Applies a run of consecutive commits, in order. One call per batch lets a projection write
   * many rows per statement; it must leave the same read model as applying them one by one.
   */
  apply(commits: StoredCommit[], tx: EntityManager): Promise<void>;
}

/**
 * A Redis read model. `apply` may read through `redis` and queues its writes on `multi`; the
 * writes and the checkpoint go in one MULTI/EXEC.
 */
export interface RedisProjection {
  kind: 'redis';
  name: string;
  /** Key patterns (after the deployment prefix) this projection owns; a rebuild deletes them. */
  keyPatterns: string[];
  aggregateTypes?: string[];
  apply(commit: StoredCommit, multi: ChainableCommander, redis: Redis): Promise<void>;
}

export type Projection = PgProjection | RedisProjection;

export const CHECKPOINT_TABLE = 'projection_checkpoints';
