// Shared by `npm start` and `npm test`: is NATS (with JetStream), Postgres and Redis reachable,
// and if not, what exactly to run. Also creates a missing database. Plain ESM so it runs before
// anything is built.
import { existsSync, readdirSync } from 'node:fs';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import pg from 'pg';

export const DEFAULTS = {
  NATS_URL: 'nats://127.0.0.1:4222',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/orchestrator',
  REDIS_URL: 'redis://127.0.0.1:6379',
};

const TIMEOUT_MS = 3_000;

/** The configured addresses: the environment, else the defaults every service also uses. */
export function infraAddresses(env = process.env) {
  return Object.fromEntries(Object.entries(DEFAULTS).map(([k, v]) => [k, env[k] || v]));
}

/**
 * Checks the three dependencies in parallel. Each result says `ok`, or what went wrong and how to
 * start it on this machine.
 */
export async function checkInfrastructure(env = process.env) {
  const a = infraAddresses(env);
  return Promise.all([
    probe('NATS', a.NATS_URL, () => checkNats(a.NATS_URL), howToStartNats()),
    probe('Postgres', redact(a.DATABASE_URL), () => checkPostgres(a.DATABASE_URL), howToStartPostgres()),
    probe('Redis', redact(a.REDIS_URL), () => checkRedis(a.REDIS_URL), howToStartRedis()),
  ]);
}

/** One paragraph per dependency that is down, and the one command that starts all three. */
export function describeDown(results) {
  const down = results.filter((r) => !r.ok);
  const lines = down.map((r) => `  ✗ ${r.name} is not reachable at ${r.address}: ${r.error}\n      start it: ${r.howTo}`);
  return [
    `Missing infrastructure (${down.map((r) => r.name).join(', ')}):`,
    ...lines,
    '',
    '  Or start all three in containers: docker compose up -d nats postgres redis',
    '  (set NATS_URL, DATABASE_URL or REDIS_URL if they run elsewhere)',
  ].join('\n');
}

/** Creates the database named in `url` if it does not exist (connecting to the `postgres` db). */
export async function ensureDatabase(url) {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, '')) || 'postgres';
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: TIMEOUT_MS });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return false;
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    return true;
  } catch (error) {
    if (error.code === '42P04') return false; // created by someone else meanwhile
    throw error;
  } finally {
    await client.end();
  }
}

async function probe(name, address, check, howTo) {
  try {
    await check();
    return { name, address, ok: true };
  } catch (error) {
    return { name, address, ok: false, error: oneLine(error), howTo };
  }
}

async function checkNats(url) {
  const nc = await connect({ servers: url.split(','), timeout: TIMEOUT_MS, reconnect: false });
  try {
    await jetstreamManager(nc, { timeout: TIMEOUT_MS }).catch(() => {
      throw new Error('it runs without JetStream (start nats-server with -js)');
    });
  } finally {
    await nc.close();
  }
}

async function checkPostgres(url) {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: TIMEOUT_MS });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function checkRedis(url) {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: TIMEOUT_MS, maxRetriesPerRequest: 0, retryStrategy: () => null });
  let cause;
  redis.on('error', (e) => (cause ??= e)); // the real reason; connect() only says "closed"
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw cause ?? error;
  } finally {
    redis.disconnect();
  }
}

function howToStartNats() {
  return '`docker compose up -d nats`, or `nats-server -js` (Debian: apt install nats-server)';
}

function howToStartPostgres() {
  const versions = existsSync('/etc/postgresql') ? readdirSync('/etc/postgresql') : [];
  const cluster = versions.length ? `pg_ctlcluster ${versions.at(-1)} main start` : 'pg_ctlcluster <version> main start';
  return `\`docker compose up -d postgres\`, or \`${cluster}\` (Debian: apt install postgresql)`;
}

function howToStartRedis() {
  return '`docker compose up -d redis`, or `redis-server --daemonize yes` (Debian: apt install redis-server)';
}

function oneLine(error) {
  const e = /** @type {any} */ (error);
  const code = e?.code && !String(e.message).includes(e.code) ? ` (${e.code})` : '';
  const message = e?.message || (e?.errors?.[0]?.message ?? String(error));
  return `${message}${code}`.split('\n')[0];
}

/** A connection string without its password, for messages. */
export function redact(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
