import { Client } from 'pg';
import { Redis } from 'ioredis';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { PrivateInfra } from '@orch/testing';

/** The private servers the chaos suite breaks: each restarts with its data, after a stop or a crash. */
describe('private infrastructure for fault injection', () => {
  let infra: PrivateInfra;
  beforeAll(async () => {
    infra = await PrivateInfra.start();
  }, 90_000);
  afterAll(async () => {
    await infra?.stop();
  });

  it('keeps Postgres rows through a clean restart and a crash', async () => {
    const query = async (sql: string) => {
      const c = new Client({ connectionString: infra.postgres.url });
      await c.connect();
      try {
        return (await c.query(sql)).rows;
      } finally {
        await c.end();
      }
    };
    await query('CREATE TABLE kept (n int)');
    await query('INSERT INTO kept VALUES (1)');
    await infra.postgres.restart();
    await query('INSERT INTO kept VALUES (2)');
    await infra.postgres.restart({ hard: true });
    expect(await query('SELECT n FROM kept ORDER BY n')).toEqual([{ n: 1 }, { n: 2 }]);
  }, 60_000);

  it('keeps the JetStream stream through a restart and a SIGKILL', async () => {
    const use = async <T>(fn: (jsm: Awaited<ReturnType<typeof jetstreamManager>>) => Promise<T>) => {
      const nc = await connect({ servers: infra.nats.url });
      try {
        return await fn(await jetstreamManager(nc));
      } finally {
        await nc.close();
      }
    };
    await use((jsm) => jsm.streams.add({ name: 'KEPT', subjects: ['kept.>'] }));
    await infra.nats.restart();
    await infra.nats.restart({ hard: true });
    expect((await use((jsm) => jsm.streams.info('KEPT'))).config.name).toBe('KEPT');
  }, 60_000);

  it('keeps Redis keys through a clean stop; a crash loses what came after the last snapshot', async () => {
    const use = async <T>(fn: (r: Redis) => Promise<T>) => {
      const r = new Redis(infra.redis.url);
      try {
        return await fn(r);
      } finally {
        r.disconnect();
      }
    };
    await use((r) => r.set('kept', '1'));
    await infra.redis.restart();
    expect(await use((r) => r.get('kept'))).toBe('1');
    await use((r) => r.set('volatile', '1'));
    await infra.redis.restart({ hard: true });
    expect(await use((r) => r.mget('kept', 'volatile'))).toEqual(['1', null]);
  }, 60_000);
});
