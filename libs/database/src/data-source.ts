import { Client } from 'pg';
import { DataSource, type EntitySchema, type MixedList } from 'typeorm';

export interface DatabaseOptions {
  url: string;
  /** Postgres schema of this deployment (`public`) or of one test file. */
  schema: string;
  /** Short name of the owning service; its migrations are tracked in `migrations_<service>`. */
  service: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  poolSize?: number;
  /** Postgres ends a session whose transaction stays idle this long (default 30 s). */
  idleInTransactionTimeoutMs?: number;
}

/**
 * A pooled connection that always has an 'error' listener. The pool listens while a client is
 * idle and TypeORM while it is checked out, but not in between: when a connection is handed out
 * in the same socket read that carries the server's "terminating connection" (Postgres shutting
 * down just as the connection completed), pg emits 'error' with no listener, and Node turns that
 * into a crash. The pool and TypeORM still receive and handle every error; this only stops an
 * unheard one from killing the process.
 */
export class ListenedClient extends Client {
  constructor(config?: ConstructorParameters<typeof Client>[0]) {
    super(config);
    this.on('error', () => undefined);
  }
}

/**
 * A TypeORM DataSource bound to one schema: TypeORM qualifies its tables with it and raw SQL
 * resolves through `search_path`, so the same code serves production and an isolated test.
 * Never `synchronize`: the schema is what the migrations say.
 */
export function createDataSource(opts: DatabaseOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: opts.url,
    schema: opts.schema,
    entities: opts.entities,
    migrations: opts.migrations,
    migrationsTableName: `migrations_${opts.service.replace(/-/g, '_')}`,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: {
      max: opts.poolSize ?? 10,
      // A transaction left idle (a client that died or hung mid-transaction after a Postgres
      // restart) would hold its row locks forever, e.g. a projection's checkpoint row: end it.
      options: `-c search_path=${opts.schema} -c idle_in_transaction_session_timeout=${opts.idleInTransactionTimeoutMs ?? 30_000}`,
      connectionTimeoutMillis: 5_000,
      application_name: `orch-${opts.service}`,
      Client: ListenedClient,
    },
  });
}

/** Creates the schema if it is missing (idempotent; safe for concurrent starts). */
export async function ensureSchema(url: string, schema: string): Promise<void> {
  // Postgres shutting down while this runs fails the query (and start-up retries); it must not crash the process.
  const client = new ListenedClient({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } catch (error) {
    // Two services creating the same schema at once race on the catalog: the loser's unique
    // violation means the schema is there, which is all we wanted.
    if ((error as { code?: string }).code !== '23505') throw error;
  } finally {
    await client.end();
  }
}

/**
 * Runs pending migrations under one advisory lock per schema: several instances, and several
 * services sharing tables such as `projection_checkpoints`, starting at once, migrate in turn.
 */
export async function runMigrations(ds: DataSource, schema: string): Promise<number> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  const key = `orch-migrations:${schema}`;
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
    const done = await ds.runMigrations({ transaction: 'each' });
    return done.length;
  } finally {
    await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch(() => undefined);
    await runner.release();
  }
}
