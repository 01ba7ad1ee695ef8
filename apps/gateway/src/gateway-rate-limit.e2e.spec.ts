import { LogRoutes } from '@orch/contracts';
import { redisTestPrefix } from '@orch/testing';
import { GatewayHarness } from './testing/gateway-harness';

const VIEWER = 'dev-viewer-key';
const ADMIN = 'dev-admin-key';

/** Two gateway instances sharing one Redis prefix, as two replicas behind a load balancer would. */
describe('rate limits per API key, shared by every gateway instance', () => {
  let a: GatewayHarness;
  let b: GatewayHarness;
  beforeAll(async () => {
    // One request per 10 s with a burst of 5: no refill can happen while the test runs.
    const env = { REDIS_PREFIX: redisTestPrefix(), RATE_LIMITS: 'viewer:0.1:5' };
    a = await GatewayHarness.start(env);
    b = await GatewayHarness.start({ ...env, NATS_SUBJECT_PREFIX: a.nats.subjects.prefix, NATS_STREAM: a.nats.stream });
    a.fakeRoute(LogRoutes.listEvents, () => ({ ok: true, value: { items: [], nextAfter: 0 } }));
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('lets a key make its burst across both instances, then answers 429 with Retry-After on either', async () => {
    const statuses: number[] = [];
    const remaining: Array<string | null> = [];
    for (let i = 0; i < 5; i++) {
      const res = await (i % 2 === 0 ? a : b).fetch('/api/v1/events', { key: VIEWER });
      statuses.push(res.status);
      remaining.push(res.headers.get('ratelimit-remaining'));
      await res.body?.cancel();
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    expect(remaining).toEqual(['4', '3', '2', '1', '0']);

    for (const gateway of [a, b]) {
      const res = await gateway.fetch('/api/v1/events', { key: VIEWER });
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(res.headers.get('ratelimit-limit')).toBe('5');
      const problem = (await res.json()) as { code: string; detail: string; retryAfterSeconds: number };
      expect(problem.code).toBe('RATE.LIMITED');
      expect(problem.detail).toMatch(/viewer role/);
    }
  });

  it('counts keys separately: a role without a limit is never refused', async () => {
    for (let i = 0; i < 10; i++) {
      const res = await a.fetch('/api/v1/events', { key: ADMIN });
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBeNull();
      await res.body?.cancel();
    }
  });

  it('does not spend the budget on requests the key may not make', async () => {
    const res = await a.fetch('/api/v1/events', { key: 'dev-agent-key' });
    expect(res.status).toBe(200);
    const forbidden = await b.fetch('/metrics', { key: VIEWER });
    expect(forbidden.status).toBe(403);
  });
});
