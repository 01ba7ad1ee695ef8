import { ConfigError } from '@orch/config';
import { DependencyUnreachable } from '@orch/service-kit';
import { TEST_DATABASE_URL, TEST_NATS_URL } from '@orch/testing';
import { bootstrap } from './bootstrap';

const base = { LOG_LEVEL: 'silent', NATS_URL: TEST_NATS_URL, DATABASE_URL: TEST_DATABASE_URL, NODE_ENV: 'test' };

async function failure(env: Record<string, string>): Promise<Error> {
  try {
    const running = await bootstrap({ ...base, ...env }, { port: 0 });
    await running.close();
  } catch (error) {
    return error as Error;
  }
  throw new Error('the gateway started');
}

describe('starting the gateway', () => {
  it('refuses to start in production without API keys', async () => {
    const error = await failure({ NODE_ENV: 'production' });
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('ORCH_API_KEYS: required in production');
  });

  it('names every bad variable of the configuration at once', async () => {
    const error = (await failure({ BODY_LIMIT_BYTES: 'big', ORCH_API_KEYS: 'x:root' })) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.problems.map((p) => p.split(':')[0])).toEqual(['ORCH_API_KEYS', 'BODY_LIMIT_BYTES']);
  });

  it('says which dependency is unreachable, where, and how to start it', async () => {
    const nats = await failure({ NATS_URL: 'nats://127.0.0.1:1' });
    expect(nats).toBeInstanceOf(DependencyUnreachable);
    expect(nats.message).toMatch(/^Cannot reach NATS at nats:\/\/127\.0\.0\.1:1: .*To start it: /);

    const pg = await failure({ DATABASE_URL: 'postgres://orch:hunter2@127.0.0.1:1/orch' });
    expect(pg).toBeInstanceOf(DependencyUnreachable);
    expect(pg.message).toContain('Cannot reach Postgres at postgres://orch:***@127.0.0.1:1/orch');
    expect(pg.message).not.toContain('hunter2');

    const redis = await failure({ REDIS_URL: 'redis://127.0.0.1:1' });
    expect(redis).toBeInstanceOf(DependencyUnreachable);
    expect(redis.message).toMatch(/^Cannot reach Redis at redis:\/\/127\.0\.0\.1:1.*ECONNREFUSED/);
  });
});
