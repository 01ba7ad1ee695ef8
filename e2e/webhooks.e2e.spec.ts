import { Webhook } from 'standardwebhooks';
import type { EventStore } from '@orch/event-store';
import { SystemUnderTest, waitFor } from '@orch/testing';
import { appendEvent } from '../apps/notifier/src/testing/events';
import { Receiver } from '../apps/notifier/src/testing/receiver';

/**
 * Webhooks through the running system: the gateway's routes and roles, the notifier as a real
 * process, killed with SIGKILL while it delivers, and every matching event still arriving.
 */
const json = (res: Response): Promise<any> => res.json();

describe('webhooks, end to end', () => {
  let system: SystemUnderTest;
  let store: EventStore;
  let subjects: SystemUnderTest['subjects'];
  const receivers: Receiver[] = [];
  const lastSeq = () => system.lastSeq();

  beforeAll(async () => {
    // Production's target rules (no loopback unless listed), with 127.0.0.1 listed for the receivers.
    system = await SystemUnderTest.start({
      services: ['notifier'],
      env: { WEBHOOK_ALLOW_LOOPBACK: 'false', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_TIMEOUT_MS: '2000', WEBHOOK_POLL_MS: '200', WEBHOOK_BACKOFF_BASE_MS: '100' },
    });
    store = await system.store();
    subjects = system.subjects;
  }, 60_000);

  afterAll(async () => {
    for (const r of receivers) await r.close();
    await system?.stop();
  });

  const receiver = async () => {
    const r = await Receiver.start();
    receivers.push(r);
    return r;
  };

  it('lets admins subscribe, list and delete; others may only read', async () => {
    const r = await receiver();
    const created = await system.fetch('/api/v1/webhooks', { json: { url: r.url, kind: 'slack', events: ['orchestration.bug.*'], description: 'team channel' } });
    expect(created.status).toBe(201);
    const hook = await json(created);
    expect(hook).toMatchObject({ id: expect.stringMatching(/^wh_/), kind: 'slack', enabled: true, secret: null, url: `${new URL(r.url).origin}/hook` });
    expect((await system.fetch('/api/v1/webhooks', { key: 'dev-agent-key', json: { url: r.url, kind: 'slack', events: ['>'] } })).status).toBe(403);
    expect((await system.fetch('/api/v1/webhooks', { key: 'dev-viewer-key', method: 'DELETE' })).status).toBe(404);
    expect((await system.fetch(`/api/v1/webhooks/${hook.id}`, { key: 'dev-viewer-key', method: 'DELETE' })).status).toBe(403);
    const listed = await json(await system.fetch('/api/v1/webhooks', { key: 'dev-viewer-key' }));
    expect(listed.items.map((w: { id: string }) => w.id)).toContain(hook.id);
    const deleted = await system.fetch(`/api/v1/webhooks/${hook.id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    // Read-your-writes: a read carrying the delete's sequence sees it.
    expect((await system.fetch(`/api/v1/webhooks/${hook.id}`, { headers: { 'x-orch-min-seq': deleted.headers.get('x-orch-seq')! } })).status).toBe(404);
    expect((await system.fetch(`/api/v1/webhooks/${hook.id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('refuses bad input with the field named, and writes nothing', async () => {
    const before = await lastSeq();
    const problem = async (init: Parameters<SystemUnderTest['fetch']>[1], path = '/api/v1/webhooks') => {
      const res = await system.fetch(path, init);
      return { status: res.status, body: await json(res) };
    };
    const port = new URL((await receiver()).url).port;
    const cases: Array<[Parameters<SystemUnderTest['fetch']>[1], number, string]> = [
      [{ body: '{"url": ', headers: { 'content-type': 'application/json' } }, 400, ''],
      [{ json: { url: 42, kind: 'slack', events: ['>'] } }, 400, 'body.url'],
      [{ json: { url: 'not a url', kind: 'slack', events: ['>'] } }, 400, 'body.url'],
      [{ json: { url: 'https://example.com', kind: 'teams', events: ['>'] } }, 400, 'body.kind'],
      [{ json: { url: 'https://example.com', kind: 'slack', events: ['orchestration..bug'] } }, 400, 'body.events.0'],
      [{ json: { url: 'https://example.com', kind: 'slack', events: ['>'], secret: 'whsec_mine' } }, 400, 'body.secret'],
      [{ json: { url: 'https://example.com', kind: 'slack', events: ['>'], taskCode: "'; DROP TABLE x;--" } }, 400, 'body.taskCode'],
      [{ json: { url: `https://example.com/${'a'.repeat(3000)}`, kind: 'slack', events: ['>'] } }, 400, 'body.url'],
      // Production rules: private and loopback addresses are refused unless listed.
      [{ json: { url: 'http://10.0.0.8/hook', kind: 'generic', events: ['>'] } }, 400, 'url'],
      [{ json: { url: 'http://169.254.169.254/latest/meta-data', kind: 'generic', events: ['>'] } }, 400, 'url'],
      [{ json: { url: `http://[::1]:${port}/hook`, kind: 'generic', events: ['>'] } }, 400, 'url'],
      [{ json: { url: `http://127.0.0.2:${port}/hook`, kind: 'generic', events: ['>'] } }, 400, 'url'],
    ];
    for (const [init, status, path] of cases) {
      const p = await problem(init);
      expect([p.status, p.body.code]).toEqual([status, expect.any(String)]);
      if (path) expect(p.body.errors?.map((e: { path: string }) => e.path)).toContain(path);
    }
    expect((await problem({}, '/api/v1/webhooks/wh_0000000000000000/deliveries')).status).toBe(404);
    expect((await problem({}, '/api/v1/webhooks/nope/deliveries')).status).toBe(400);
    expect((await problem({ json: {} }, `/api/v1/webhooks/wh_0000000000000000/deliveries/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/redeliver`)).status).toBe(404);
    expect((await problem({}, '/api/v1/webhooks/wh_0000000000000000/deliveries?limit=100000')).status).toBe(400);
    expect(await lastSeq()).toBe(before);
  });

  it('shows the delivery log and sends a delivery again by hand, under the same id', async () => {
    const r = await receiver();
    const created = await json(await system.fetch('/api/v1/webhooks', { json: { url: r.url, kind: 'discord', events: ['orchestration.workflow.completed'] } }));
    const event = await appendEvent(store, subjects, 'orchestration.workflow.completed', { taskCount: 3 }, { type: 'workflow' });
    const [delivery] = await waitFor('a delivered delivery', async () => {
      const page = await json(await system.fetch(`/api/v1/webhooks/${created.id}/deliveries`, { key: 'dev-viewer-key' }));
      return page.items[0]?.status === 'DELIVERED' && page.items;
    });
    expect(delivery).toMatchObject({ eventId: event.id, eventType: 'orchestration.workflow.completed', attempts: 1, lastStatusCode: 200, log: [{ attempt: 1, statusCode: 200, latencyMs: expect.any(Number) }] });
    const path = `/api/v1/webhooks/${created.id}/deliveries/${delivery.id}/redeliver`;
    expect((await system.fetch(path, { key: 'dev-agent-key', json: {} })).status).toBe(403);
    const again = await system.fetch(path, { json: {} });
    expect(again.status).toBe(202);
    expect(await json(again)).toMatchObject({ id: delivery.id, status: 'PENDING' });
    await waitFor('the second copy', () => r.accepted.length === 2);
    expect(r.requests.map((q) => q.headers['idempotency-key'])).toEqual([event.id, event.id]);
    expect(r.requests[0]!.json).toMatchObject({ content: expect.stringContaining('Workflow completed'), embeds: [expect.objectContaining({ description: '3 tasks done' })] });
  });

  it('delivers every matching event at least once across a SIGKILL of the notifier, duplicates only under the same id', async () => {
    const r = await receiver();
    const created = await json(await system.fetch('/api/v1/webhooks', { json: { url: r.url, kind: 'generic', events: ['orchestration.session.note_added'] } }));
    const verifier = new Webhook(created.secret);
    const sent: string[] = [];
    const emit = async (n: number) => {
      for (let i = 0; i < n; i++) sent.push((await appendEvent(store, subjects, 'orchestration.session.note_added', { sessionKey: 's', taskCode: 'TSK-1', sprintCode: null, text: `note ${i}` }, { type: 'session' })).id);
      await appendEvent(store, subjects, 'orchestration.session.progress_updated', { sessionKey: 's', taskCode: 'TSK-1', sprintCode: null }, { type: 'session' });
    };
    await emit(150);
    await waitFor('deliveries under way', () => r.requests.length >= 20, { timeoutMs: 20_000 });
    await system.kill('notifier');
    const beforeKill = r.accepted.length;
    await emit(150); // while it is down
    system.spawn('notifier');
    await waitFor('every event delivered', () => new Set(r.accepted.map((q) => q.headers['webhook-id'])).size >= sent.length, { timeoutMs: 60_000, intervalMs: 100 });
    const ids = r.requests.map((q) => (verifier.verify(q.body, q.headers) as { id: string }).id);
    expect(r.requests.every((q, i) => q.headers['webhook-id'] === ids[i] && q.headers['idempotency-key'] === ids[i])).toBe(true);
    expect(new Set(ids)).toEqual(new Set(sent));
    expect(beforeKill).toBeLessThan(150); // it really died mid-stream
    // Only subscribed types: the progress pings were not sent.
    expect(r.requests.every((q) => q.json.type === 'orchestration.session.note_added')).toBe(true);
    // The delivery log agrees once the last answers are recorded (the receiver sees them a moment before).
    const log = await waitFor('every delivery logged as DELIVERED', async () => {
      const page = await json(await system.fetch(`/api/v1/webhooks/${created.id}/deliveries?limit=500`));
      return page.items.every((d: { status: string }) => d.status === 'DELIVERED') && page.items;
    });
    expect(log).toHaveLength(sent.length);
  }, 120_000);
});
