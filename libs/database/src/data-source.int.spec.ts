import type { Pool, PoolClient } from 'pg';
import { pgTestSchema, type PgTestSchema } from '@orch/testing';
import { createDataSource } from './data-source';

/**
 * A pooled connection is handed from the pool (which listens for its errors while it is idle) to
 * TypeORM (which listens while it holds it) with a moment in between when nobody listens. An error
 * in that moment (Postgres shutting down as the connection completes) must not crash the process.
 */
describe('the data source against a real Postgres', () => {
  let schema: PgTestSchema;

  beforeAll(async () => {
    schema = await pgTestSchema();
  });
  afterAll(() => schema?.drop());

  it('survives an error on a connection that has just left the pool, and the pool drops that connection', async () => {
    const ds = createDataSource({ url: schema.url, schema: schema.schema, service: 'test', entities: [], migrations: [] });
    await ds.initialize();
    try {
      const pool = (ds.driver as unknown as { master: Pool }).master;
      const client: PoolClient = await pool.connect(); // out of the pool, before TypeORM listens
      const terminated = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
      let crash: unknown = null;
      try {
        client.emit('error', terminated);
      } catch (error) {
        crash = error; // what Node throws for an 'error' event nobody listens to
      } finally {
        client.release(terminated); // a connection that failed is not reused
      }
      expect(crash).toBeNull();
      expect(await ds.query('SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
    } finally {
      await ds.destroy();
    }
  });
});
