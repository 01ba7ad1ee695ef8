import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import pino, { type Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { Subjects, type ServiceName } from '@orch/contracts';
import type { BaseConfig } from '@orch/config';
import { createDataSource, ensureSchema, runMigrations, type DatabaseOptions } from '@orch/database';
import { ensureDeadLetterStream, ensureEventStream, EventStore } from '@orch/event-store';
import { connectNats, RpcServer } from '@orch/messaging';
import { DependencyUnreachable } from './dependency-error';

export interface InfrastructureOptions {
  service: ServiceName;
  config: BaseConfig;
  database?: Pick<DatabaseOptions, 'entities' | 'migrations'>;
  redis?: boolean;
  logger?: Logger;
}

/** Everything a service talks to, opened and checked before Nest wires the app. */
export interface Infrastructure {
  service: ServiceName;
  config: BaseConfig;
  logger: Logger;
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  subjects: Subjects;
  store: EventStore;
  rpc: RpcServer;
  dataSource?: DataSource;
  redis?: Redis;
  close(): Promise<void>;
}

export function createLogger(service: string, level: string): Logger {
  return pino({ level, base: { service }, timestamp: pino.stdTimeFunctions.isoTime });
}

/**
 * Opens NATS, the event stream, Postgres (schema + migrations) and Redis, in that order. A
 * dependency that cannot be reached is a DependencyUnreachable naming it and its address.
 */
export async function openInfrastructure(opts: InfrastructureOptions): Promise<Infrastructure> {
  const { config, service } = opts;
  const logger = opts.logger ?? createLogger(service, config.LOG_LEVEL);
  const subjects = new Subjects(config.NATS_SUBJECT_PREFIX);
  const nc = await connectNats({ url: config.NATS_URL, name: service, logger }).catch((e) => {
    throw new DependencyUnreachable('NATS', config.NATS_URL, e);
  });
  const closers: Array<() => Promise<unknown>> = [() => nc.drain()];
  try {
    const jsm = await jetstreamManager(nc).catch((e) => {
      throw new DependencyUnreachable('NATS JetStream', config.NATS_URL, e);
    });
    const js = jetstream(nc);
    const streamOpts = { stream: config.NATS_STREAM, subjects, replicas: config.NATS_REPLICAS, duplicateWindowMs: config.NATS_DUPLICATE_WINDOW_MS };
    await withRaceRetry(() => ensureEventStream(jsm, streamOpts));
    await withRaceRetry(() => ensureDeadLetterStream(jsm, streamOpts));
    const store = new EventStore(js, jsm, config.NATS_STREAM);

    let dataSource: DataSource | undefined;
    if (opts.database) {
      await ensureSchema(config.DATABASE_URL, config.DB_SCHEMA).catch((e) => {
        throw new DependencyUnreachable('Postgres', redact(config.DATABASE_URL), e);
      });
      dataSource = createDataSource({ url: config.DATABASE_URL, schema: config.DB_SCHEMA, service, ...opts.database });
      await dataSource.initialize();
      closers.push(() => dataSource!.destroy());
      const ran = await runMigrations(dataSource, config.DB_SCHEMA);
      if (ran > 0) logger.info({ migrations: ran }, 'migrations applied');
    }

    let redis: Redis | undefined;
    if (opts.redis) {
      // Auto-pipelining sends the commands issued in one event-loop turn in one write: a burst of
      // heartbeats costs one syscall, and independent commands on one path share a round trip.
      redis = new Redis(config.REDIS_URL, { keyPrefix: config.REDIS_PREFIX, lazyConnect: true, maxRetriesPerRequest: 3, enableAutoPipelining: true });
      redis.on('error', (e) => logger.warn({ err: e }, 'Redis error'));
      await redis.connect().catch((e) => {
        throw new DependencyUnreachable('Redis', config.REDIS_URL, e);
      });
      closers.push(() => redis!.quit());
    }

    const rpc = new RpcServer(nc, subjects, logger);
    closers.push(() => rpc.drain());
    return {
      service,
      config,
      logger,
      nc,
      js,
      jsm,
      subjects,
      store,
      rpc,
      dataSource,
      redis,
      async close() {
        for (const close of closers.reverse()) await close().catch((e) => logger.warn({ err: e }, 'error while closing'));
      },
    };
  } catch (error) {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    throw error;
  }
}

/** Two services creating the stream at the same moment: the loser finds it and checks it. */
async function withRaceRetry<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (!/already in use|exists/i.test((error as Error).message)) throw error;
    return fn();
  }
}

/** A connection string without its password, for error messages and logs. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
