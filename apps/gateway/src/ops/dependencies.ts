import type { NatsConnection } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { Pool } from 'pg';
import type { Logger } from 'pino';
import type { GatewayConfig } from '@orch/config';
import { Subjects } from '@orch/contracts';
import { connectNats } from '@orch/messaging';
import { DependencyUnreachable, redact } from '@orch/service-kit';

/** What the gateway talks to. It keeps no state of its own: Postgres and Redis are only checked. */
export interface GatewayDependencies {
  nc: NatsConnection;
  subjects: Subjects;
  pool: Pool;
  redis: Redis;
  close(): Promise<void>;
}

/**
 * Opens NATS, Postgres and Redis, and proves each answers, in that order. The first that does
 * not is a DependencyUnreachable naming it and its address (without a password).
 */
export async function openDependencies(config: GatewayConfig, logger: Logger): Promise<GatewayDependencies> {
  const closers: Array<() => Promise<unknown>> = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch((e) => logger.warn({ err: e }, 'error while closing'));
  };
  try {
    const nc = await connectNats({ url: config.NATS_URL, name: 'gateway', logger }).catch((e: Error) => {
      // connectNats already says "Cannot reach NATS at ..."; keep only its reason.
      throw new DependencyUnreachable('NATS', config.NATS_URL, e.cause ?? e);
    });
    closers.push(() => nc.drain());

    // Readiness needs one connection at a time; a tiny pool keeps the gateway light on Postgres.
    const pool = new Pool({ connectionString: config.DATABASE_URL, max: 2, connectionTimeoutMillis: 2_000, idleTimeoutMillis: 30_000 });
    pool.on('error', (e) => logger.warn({ err: e }, 'Postgres connection error'));
    closers.push(() => pool.end());
    await pool.query('SELECT 1').catch((e) => {
      throw new DependencyUnreachable('Postgres', redact(config.DATABASE_URL), e);
    });

    // No offline queue: while Redis is away a PING fails at once, which is what /ready must say.
    // A short disconnectTimeout: ioredis otherwise keeps a 2 s timer for a socket that never opened.
    const redis = new Redis(config.REDIS_URL, {
      keyPrefix: config.REDIS_PREFIX,
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      disconnectTimeout: 100,
    });
    // ioredis reports the reason (ECONNREFUSED, auth) as an event and rejects with a generic one.
    let lastError: Error | undefined;
    redis.on('error', (e: Error) => {
      lastError = e;
      logger.debug({ err: e }, 'Redis error');
    });
    await redis.connect().catch((e: Error) => {
      redis.disconnect();
      throw new DependencyUnreachable('Redis', redact(config.REDIS_URL), lastError ?? e);
    });
    closers.push(() => redis.quit());

    return { nc, subjects: new Subjects(config.NATS_SUBJECT_PREFIX), pool, redis, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
