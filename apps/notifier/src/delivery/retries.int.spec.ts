import { randomUUID } from 'node:crypto';
import { WebhookRoutes, type DeliveryView, type RpcRoute, type WebhookCreatedReply } from '@orch/contracts';
import { RpcClient } from '@orch/messaging';
import { startService, type RunningService } from '@orch/service-kit';
import { isolatedEnv, waitFor, type IsolatedEnv } from '@orch/testing';
import { notifierServiceWith } from '../app.module';
import { appendEvent } from '../testing/events';
import { Receiver, type Behaviour } from '../testing/receiver';

const TIMEOUT_MS = 300;
const BACKOFF_BASE_MS = 1_000;

/**
 * Requests that hang past WEBHOOK_TIMEOUT_MS, and what the delivery log says while a retry waits:
 * a real notifier, real receivers on loopback.
 */
describe('timeouts and scheduled retries', () => {
  let iso: IsolatedEnv;
  let service: RunningService;
  let rpc: RpcClient;
  const receivers: Receiver[] = [];

  const call = async <T>(route: RpcRoute, payload: unknown) =>
    (await rpc.call(route, payload, { meta: { actor: { kind: 'human', id: 'admin', role: 'admin' }, commandId: randomUUID(), issuedAt: new Date().toISOString() }, correlationId: randomUUID() })) as { value: T };
  /** A receiver that behaves as told, subscribed to one event type; answers the subscription and a way to read its one delivery. */
  const subscribed = async (behave: Behaviour) => {
    const receiver = await Receiver.start(behave);
    receivers.push(receiver);
    const hook = (await call<WebhookCreatedReply>(WebhookRoutes.createWebhook as RpcRoute, { url: receiver.url, kind: 'generic', events: ['orchestration.bug.logged'] })).value;
    const delivery = async () => (await call<{ items: DeliveryView[] }>(WebhookRoutes.listDeliveries as RpcRoute, { id: hook.id, query: { limit: 5 } })).value.items[0];
    return { receiver, hook, delivery };
  };
  const emit = () => appendEvent(service.infra.store, service.infra.subjects, 'orchestration.bug.logged', { message: 'boom' });

  beforeAll(async () => {
    iso = isolatedEnv({ WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS), WEBHOOK_BACKOFF_BASE_MS: String(BACKOFF_BASE_MS), WEBHOOK_BACKOFF_MAX_MS: '5000', WEBHOOK_MAX_ATTEMPTS: '3', WEBHOOK_POLL_MS: '100' });
    service = await startService(notifierServiceWith(iso.env), iso.env);
    rpc = new RpcClient(service.infra.nc, service.infra.subjects);
  });

  afterAll(async () => {
    for (const r of receivers) await r.close();
    await service?.close();
    await iso?.cleanup();
  });

  it('ends a request that hangs past the timeout, logs it as timed out and retries it', async () => {
    const { receiver, delivery } = await subscribed((n) => (n === 0 ? 'hang' : { status: 200 }));
    const event = await emit();
    const done = await waitFor('the retry to be delivered', async () => {
      const d = await delivery();
      return d?.status === 'DELIVERED' && d;
    });
    expect(done).toMatchObject({ eventId: event.id, attempts: 2, lastStatusCode: 200, lastError: null });
    expect(done.log[0]).toMatchObject({ attempt: 1, statusCode: null, error: `timed out after ${TIMEOUT_MS} ms` });
    expect(done.log[0]!.latencyMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 1);
    expect(done.log[1]).toMatchObject({ attempt: 2, statusCode: 200, error: null });
    // The sender closed the hanging request itself (the receiver never answered it).
    await waitFor('the hanging request to be closed', () => receiver.requests[0]!.closed);
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([event.id, event.id]);
  });

  it('shows when the next retry is due while it waits, after the failed attempt by the backoff', async () => {
    const { delivery } = await subscribed((n) => ({ status: n === 0 ? 503 : 200 }));
    await emit();
    const waiting = await waitFor('a retry to be scheduled', async () => {
      const d = await delivery();
      return d?.status === 'PENDING' && d.attempts === 1 && d;
    });
    const [failed] = waiting.log;
    expect(failed).toMatchObject({ statusCode: 503, error: 'HTTP 503' });
    expect(waiting.lastStatusCode).toBe(503);
    // Full jitter over the first step: between half the base and the base, counted from when the attempt ended.
    const wait = Date.parse(waiting.nextAttemptAt!) - Date.parse(failed!.at);
    expect(wait).toBeGreaterThanOrEqual(BACKOFF_BASE_MS / 2);
    expect(wait).toBeLessThanOrEqual(BACKOFF_BASE_MS + failed!.latencyMs + 5);
    const done = await waitFor('the retry', async () => {
      const d = await delivery();
      return d?.status === 'DELIVERED' && d;
    });
    expect(Date.parse(done.log[1]!.at)).toBeGreaterThanOrEqual(Date.parse(waiting.nextAttemptAt!));
    expect(done.nextAttemptAt).toBeNull();
  });

  it('schedules the retry no sooner than Retry-After asks', async () => {
    const { delivery } = await subscribed((n) => (n === 0 ? { status: 429, headers: { 'retry-after': '3' } } : { status: 200 }));
    await emit();
    const waiting = await waitFor('a retry to be scheduled', async () => {
      const d = await delivery();
      return d?.status === 'PENDING' && d.attempts === 1 && d;
    });
    const [failed] = waiting.log;
    expect(failed!.statusCode).toBe(429);
    const wait = Date.parse(waiting.nextAttemptAt!) - Date.parse(failed!.at);
    expect(wait).toBeGreaterThanOrEqual(3_000);
    expect(wait).toBeLessThanOrEqual(3_000 + failed!.latencyMs + 5);
    const done = await waitFor('the retry', async () => {
      const d = await delivery();
      return d?.status === 'DELIVERED' && d;
    });
    expect(Date.parse(done.log[1]!.at)).toBeGreaterThanOrEqual(Date.parse(waiting.nextAttemptAt!));
  });
});
