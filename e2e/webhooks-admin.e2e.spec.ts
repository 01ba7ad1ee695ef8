import type { EventStore } from '@orch/event-store';
import { SystemUnderTest, waitFor } from '@orch/testing';
import { appendEvent } from '../apps/notifier/src/testing/events';
import { Receiver, type Behaviour } from '../apps/notifier/src/testing/receiver';

/**
 * Running webhooks by hand through the gateway: redelivering dead letters (and the 409s when that
 * makes no sense), disabling and enabling a subscription, and sprint filters on the messages the
 * real planner and bug service cause.
 */
const json = (res: Response): Promise<any> => res.json();

describe('webhooks operated by hand, end to end', () => {
  let system: SystemUnderTest;
  let store: EventStore;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    system = await SystemUnderTest.start({
      services: ['notifier', 'planner', 'bug-service'],
      env: { WEBHOOK_ALLOW_LOOPBACK: 'false', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_TIMEOUT_MS: '2000', WEBHOOK_POLL_MS: '200', WEBHOOK_BACKOFF_BASE_MS: '100', WEBHOOK_MAX_ATTEMPTS: '3' },
    });
    store = await system.store();
  }, 90_000);

  afterAll(async () => {
    for (const r of receivers) await r.close();
    await system?.stop();
  });

  const subscribed = async (behave: Behaviour, body: object = { kind: 'generic', events: ['orchestration.sprint.updated'] }) => {
    const receiver = await Receiver.start(behave);
    receivers.push(receiver);
    const hook = await json(await system.fetch('/api/v1/webhooks', { json: { url: receiver.url, ...body } }));
    return { receiver, hook };
  };
  const emit = () => appendEvent(store, system.subjects, 'orchestration.sprint.updated', { changes: { title: 'x' } }, { type: 'sprint' });
  const deliveries = async (id: string) => (await json(await system.fetch(`/api/v1/webhooks/${id}/deliveries`, { key: 'dev-viewer-key' }))).items;
  const firstWith = (id: string, what: string, ok: (d: any) => boolean) =>
    waitFor(what, async () => {
      const [d] = await deliveries(id);
      return d && ok(d) && d;
    });
  const redeliver = (id: string, deliveryId: string) => system.fetch(`/api/v1/webhooks/${id}/deliveries/${deliveryId}/redeliver`, { method: 'POST' });

  it('redelivers a real dead letter by hand, and answers 409 while a delivery is pending or its webhook disabled', async () => {
    let healthy = false;
    const broken = await subscribed(() => ({ status: healthy ? 200 : 500 }));
    const event = await emit();
    const dead = await firstWith(broken.hook.id, 'a dead letter', (d) => d.status === 'DEAD');
    expect(dead).toMatchObject({ eventId: event.id, attempts: 3, lastStatusCode: 500, nextAttemptAt: null });
    expect(dead.log.map((a: { statusCode: number }) => a.statusCode)).toEqual([500, 500, 500]);
    healthy = true;
    const again = await redeliver(broken.hook.id, dead.id);
    expect(again.status).toBe(202);
    expect(await json(again)).toMatchObject({ id: dead.id, status: 'PENDING' });
    const done = await firstWith(broken.hook.id, 'the redelivery', (d) => d.status === 'DELIVERED');
    expect(done.log.map((a: { statusCode: number }) => a.statusCode)).toEqual([500, 500, 500, 200]);
    expect(broken.receiver.accepted.map((r) => r.headers['webhook-id'])).toEqual([event.id]);

    // Waiting an hour for its retry, as the receiver asked: still pending, so not redeliverable.
    const busy = await subscribed(() => ({ status: 503, headers: { 'retry-after': '3600' } }));
    await emit();
    const waiting = await firstWith(busy.hook.id, 'a scheduled retry', (d) => d.status === 'PENDING' && d.attempts === 1);
    const pending = await redeliver(busy.hook.id, waiting.id);
    expect([pending.status, (await json(pending)).code]).toEqual([409, 'WEBHOOK.DELIVERY_PENDING']);

    // A receiver that answered 410 Gone disabled its webhook: its dead letter cannot be sent again.
    const gone = await subscribed(() => ({ status: 410 }));
    await emit();
    const goneLetter = await firstWith(gone.hook.id, 'the 410 dead letter', (d) => d.status === 'DEAD');
    await waitFor('the webhook disabled', async () => !(await json(await system.fetch(`/api/v1/webhooks/${gone.hook.id}`))).enabled);
    const refused = await redeliver(gone.hook.id, goneLetter.id);
    expect([refused.status, (await json(refused)).code]).toEqual([409, 'WEBHOOK.DISABLED']);
    expect(gone.receiver.requests).toHaveLength(1);
  });

  it('lets an admin disable a webhook and enable it again; what was logged meanwhile is not sent', async () => {
    const { receiver, hook } = await subscribed(() => ({ status: 200 }));
    const before = await emit();
    await waitFor('the first delivery', () => receiver.accepted.length === 1);
    const path = `/api/v1/webhooks/${hook.id}`;
    expect((await system.fetch(`${path}/disable`, { key: 'dev-agent-key', json: {} })).status).toBe(403);
    const off = await system.fetch(`${path}/disable`, { json: { reason: 'channel in maintenance' } });
    expect(off.status).toBe(200);
    expect(await json(off)).toMatchObject({ id: hook.id, enabled: false, disabledReason: expect.stringMatching(/^disabled by human .+: channel in maintenance$/) });
    const listed = await json(await system.fetch('/api/v1/webhooks', { headers: { 'x-orch-min-seq': off.headers.get('x-orch-seq')! } }));
    expect(listed.items.find((w: { id: string }) => w.id === hook.id)).toMatchObject({ enabled: false });
    await emit(); // while disabled
    const on = await system.fetch(`${path}/enable`, { method: 'POST' });
    expect(on.status).toBe(200);
    expect(await json(on)).toMatchObject({ id: hook.id, enabled: true, disabledReason: null });
    const after = await emit();
    await waitFor('the delivery after enabling', () => receiver.accepted.length === 2);
    expect(receiver.accepted.map((r) => r.json.id)).toEqual([before.id, after.id]);
    expect((await deliveries(hook.id)).map((d: { eventId: string }) => d.eventId)).toEqual([after.id, before.id]);
    const commits = await store.readSubject(system.subjects.aggregate('webhook', hook.id), 0);
    expect(commits.flatMap((c) => c.events.map((e) => e.type))).toEqual(['orchestration.webhook.created', 'orchestration.webhook.disabled', 'orchestration.webhook.enabled']);
  });

  it('refuses to disable or enable what does not exist or with a bad body, and writes nothing', async () => {
    const { hook } = await subscribed(() => ({ status: 200 }));
    const seq = await system.lastSeq();
    const problem = async (path: string, init: Parameters<SystemUnderTest['fetch']>[1]) => {
      const res = await system.fetch(path, init);
      const body = await json(res);
      return [res.status, body.code, body.errors?.map((e: { path: string }) => e.path) ?? []];
    };
    expect(await problem('/api/v1/webhooks/wh_0000000000000000/disable', { json: {} })).toEqual([404, 'WEBHOOK.NOT_FOUND', []]);
    expect(await problem('/api/v1/webhooks/wh_0000000000000000/enable', { method: 'POST' })).toEqual([404, 'WEBHOOK.NOT_FOUND', []]);
    expect(await problem(`/api/v1/webhooks/${hook.id}/disable`, { json: { reason: '' } })).toEqual([400, expect.any(String), ['body.reason']]);
    expect(await problem(`/api/v1/webhooks/${hook.id}/disable`, { json: { reason: 'x', until: 'tomorrow' } })).toEqual([400, expect.any(String), ['body.until']]);
    expect(await problem('/api/v1/webhooks/nope/enable', { method: 'POST' })).toEqual([400, expect.any(String), ['params.id']]);
    // Enabling an enabled webhook is already done: nothing to write.
    expect((await system.fetch(`/api/v1/webhooks/${hook.id}/enable`, { method: 'POST' })).status).toBe(200);
    expect(await system.lastSeq()).toBe(seq);
  });

  it('sends a sprint subscription the blocked tasks and new bugs of its sprint, as the planner and bug service log them', async () => {
    for (const code of ['SPR-HOOK-A', 'SPR-HOOK-B']) expect((await system.fetch('/api/v1/sprints', { json: { code, title: code } })).status).toBe(201);
    for (const [code, sprintCode] of [['TSK-HOOK-A', 'SPR-HOOK-A'], ['TSK-HOOK-B', 'SPR-HOOK-B']]) {
      expect((await system.fetch('/api/v1/tasks', { json: { code, sprintCode, title: `work of ${sprintCode}` } })).status).toBe(201);
    }
    const { receiver, hook } = await subscribed(() => ({ status: 200 }), { kind: 'slack', events: ['orchestration.task.status_updated', 'orchestration.bug.logged'], sprintCode: 'SPR-HOOK-A' });
    const block = (code: string) => system.fetch(`/api/v1/tasks/${code}`, { method: 'PATCH', json: { status: 'BLOCKED', reason: 'waiting for the API keys' } });
    const bug = (taskCode: string) => system.fetch('/api/v1/bugs', { key: 'dev-agent-key', json: { message: `TypeError: cannot read 'id' of undefined in ${taskCode}`, taskCode } });
    expect((await block('TSK-HOOK-B')).status).toBe(200);
    expect((await bug('TSK-HOOK-B')).status).toBeLessThan(300);
    expect((await block('TSK-HOOK-A')).status).toBe(200);
    expect((await bug('TSK-HOOK-A')).status).toBeLessThan(300);
    await waitFor('two Slack messages', () => receiver.accepted.length === 2);
    const texts = receiver.accepted.map((r) => r.json.text).sort();
    expect(texts).toEqual([':beetle: New bug on TSK-HOOK-A: TypeError [type]', ':no_entry: Task blocked: TSK-HOOK-A (was BACKLOG)']);
    expect(JSON.stringify(receiver.accepted.find((r) => String(r.json.text).includes('blocked'))!.json.blocks)).toContain('Reason: waiting for the API keys');
    // Matched in log order: the other sprint's two events came first and were not queued.
    expect((await deliveries(hook.id)).map((d: { eventType: string }) => d.eventType).sort()).toEqual(['orchestration.bug.logged', 'orchestration.task.status_updated']);
  });
});
