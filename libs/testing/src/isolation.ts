import { randomBytes } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { Client } from 'pg';
import { Subjects } from '@orch/contracts';

export const TEST_NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A short random token usable in stream names, subjects, SQL identifiers and Redis keys. */
export function uniqueToken(): string {
  return randomBytes(5).toString('hex');
}

export interface NatsTestContext {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  token: string;
  /** A stream name no other test file uses. */
  stream: string;
  /** Subjects under a prefix no other test file uses. */
  subjects: Subjects;
  /** Deletes the test's streams and closes the connection. */
  close(): Promise<void>;
}

/** Connects to the real NATS server with a private stream name and subject prefix. */
export async function natsTestContext(): Promise<NatsTestContext> {
  const token = uniqueToken();
  const nc = await connect({ servers: TEST_NATS_URL });
  const jsm = await jetstreamManager(nc);
  const stream = `T_${token}`;
  return {
    nc,
    js: jetstream(nc),
    jsm,
    token,
    stream,
    subjects: new Subjects(`t${token}`),
    async close() {
      for (const name of [stream, `${stream}_DLQ`]) await jsm.streams.delete(name).catch(() => undefined);
      await nc.close();
    },
  };
}

export interface PgTestSchema {
  schema: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh Postgres schema for one test file, dropped at the end. */
export async function pgTestSchema(): Promise<PgTestSchema> {
  const schema = `t_${uniqueToken()}`;
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  await client.query(`CREATE SCHEMA "${schema}"`);
  await client.end();
  return {
    schema,
    url: TEST_DATABASE_URL,
    async drop() {
      const c = new Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    },
  };
}

/** A Redis key prefix no other test file uses. */
export function redisTestPrefix(): string {
  return `t:${uniqueToken()}:`;
}
