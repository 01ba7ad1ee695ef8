import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Client } from 'pg';
import { Redis } from 'ioredis';
import { TEST_DATABASE_URL, TEST_NATS_URL, TEST_REDIS_URL, uniqueToken } from './isolation';

export interface IsolatedEnv {
  env: NodeJS.ProcessEnv;
  token: string;
  /** Deletes the stream, drops the schema and the Redis keys. */
  cleanup(): Promise<void>;
}

/**
 * Environment variables that give services started by one test file their own stream, subject
 * prefix, Postgres schema and Redis prefix, so test files never see each other's data.
 */
export function isolatedEnv(extra: NodeJS.ProcessEnv = {}): IsolatedEnv {
  const token = uniqueToken();
  const env = {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    NATS_URL: TEST_NATS_URL,
    NATS_STREAM: `T_${token}`,
    NATS_SUBJECT_PREFIX: `t${token}`,
    DATABASE_URL: TEST_DATABASE_URL,
    DB_SCHEMA: `t_${token}`,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: `t:${token}:`,
    ...extra,
  };
  return {
    env,
    token,
    async cleanup() {
      // The env's own servers (a test may point it at private ones), and each step on its own:
      // a server a chaos test has just stopped must not keep the others from being cleaned.
      const quietly = (step: Promise<unknown>) => step.catch(() => undefined);
      await quietly(
        (async () => {
          const nc = await connect({ servers: env.NATS_URL!.split(','), timeout: 2_000, reconnect: false });
          try {
            const jsm = await jetstreamManager(nc);
            for (const s of [env.NATS_STREAM!, `${env.NATS_STREAM}_DLQ`, `${env.NATS_STREAM}_LOGS`]) await jsm.streams.delete(s).catch(() => undefined);
          } finally {
            await nc.close();
          }
        })(),
      );
      await quietly(
        (async () => {
          const pg = new Client({ connectionString: env.DATABASE_URL, connectionTimeoutMillis: 2_000 });
          await pg.connect();
          try {
            await pg.query(`DROP SCHEMA IF EXISTS "${env.DB_SCHEMA}" CASCADE`);
          } finally {
            await pg.end();
          }
        })(),
      );
      const redis = new Redis(env.REDIS_URL!, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2_000, retryStrategy: () => null });
      redis.on('error', () => undefined);
      await quietly(
        (async () => {
          await redis.connect();
          const keys = await redis.keys(`${env.REDIS_PREFIX}*`);
          if (keys.length) await redis.del(...keys);
        })(),
      );
      redis.disconnect();
    },
  };
}
