import { Client } from 'pg';

/**
 * One active consumer per projection: the instance that holds a session-level advisory lock
 * consumes; the others wait. If the holder dies, its connection closes and the lock frees.
 */
export class PgAdvisoryLease {
  private client: Client | null = null;

  constructor(
    private readonly url: string,
    private readonly key: string,
  ) {}

  async tryAcquire(): Promise<boolean> {
    if (this.client) return true;
    const client = new Client({ connectionString: this.url, connectionTimeoutMillis: 5_000, application_name: `orch-lease` });
    client.on('error', () => {
      // A dropped lease connection means the lock is gone; the runner notices on its next check.
      this.client = null;
    });
    await client.connect();
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [this.key]);
    if (!rows[0]?.ok) {
      await client.end();
      return false;
    }
    this.client = client;
    return true;
  }

  get held(): boolean {
    return this.client !== null;
  }

  async release(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => undefined);
  }
}
