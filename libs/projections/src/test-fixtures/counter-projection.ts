import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { PgProjection, RedisProjection } from '../projection';

/** A read model small enough to compare whole: one row per counter, plus the seqs it saw. */
export const counterProjection: PgProjection = {
  kind: 'postgres',
  name: 'test_counters',
  tables: ['test_counters'],
  async apply(commits, tx) {
    for (const e of commits.flatMap((c) => c.events)) {
      if (e.type !== 'orchestration.counter.incremented') continue;
      await tx.query(
        `INSERT INTO test_counters (id, total, commits) VALUES ($1, $2, 1)
         ON CONFLICT (id) DO UPDATE SET total = test_counters.total + $2, commits = test_counters.commits + 1`,
        [e.aggregateId, Number(e.data.by)],
      );
    }
  },
};

export class TestCounters1700000000001 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE TABLE test_counters (id text PRIMARY KEY, total int NOT NULL, commits int NOT NULL)');
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE test_counters');
  }
}

export const redisCounterProjection: RedisProjection = {
  kind: 'redis',
  name: 'test_counters_redis',
  keyPatterns: ['counter:*'],
  async apply(commit, multi) {
    for (const e of commit.events) {
      if (e.type === 'orchestration.counter.incremented') multi.hincrby(`counter:${e.aggregateId}`, 'total', Number(e.data.by));
    }
  },
};
