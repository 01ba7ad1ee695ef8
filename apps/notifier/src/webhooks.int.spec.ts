import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { AgentLost, TaskStatusUpdated, WebhookRoutes, WorkflowCompleted, type DeliveryPage, type RpcRoute, type WebhookCreatedReply } from '@orch/contracts';
import { RpcClient } from '@orch/messaging';
import { startService, type RunningService } from '@orch/service-kit';
import { isolatedEnv, waitFor, type IsolatedEnv } from '@orch/testing';
import { notifierServiceWith } from './app.module';
import { emitted } from './testing/emitted';
import { appendEvent } from './testing/events';
import { Receiver } from './testing/receiver';

describe('webhook deliveries (real NATS, Postgres and HTTP receivers on loopback)', () => {
  let iso: IsolatedEnv;
  let service: RunningService;
  let rpc: RpcClient;
  const receivers: Receiver[] = [];

  const call = async <T>(route: RpcRoute, payload: unknown, commandId = randomUUID()) =>
    (await rpc.call(route, payload, { meta: { actor: { kind: 'human', id: 'admin', role: 'admin' }, commandId, issuedAt: new Date().toISOString() }, correlationId: randomUUID() })) as { value: T; seq?: number };
  const subscribe = (body: object) => call<WebhookCreatedReply>(WebhookRoutes.createWebhook as RpcRoute, body).then((r) => r.value);
  const deliveries = (id: string) => call<DeliveryPage>(WebhookRoutes.listDeliveries as RpcRoute, { id, query: { limit: 500 } }).then((r) => r.value.items);
  const receiver = async (...args: Parameters<typeof Receiver.start>) => {
    const r = await Receiver.start(...args);
    receivers.push(r);
    return r;
  };
  const emit = (type: string, data: Record<string, unknown>, aggregate?: { type: string; id?: string }) => appendEvent(service.infra.store, service.infra.subjects, type, data, aggregate);

  beforeAll(async () => {
    iso = isolatedEnv({ WEBHOOK_BACKOFF_BASE_MS: '50', WEBHOOK_BACKOFF_MAX_MS: '2000', WEBHOOK_MAX_ATTEMPTS: '3', WEBHOOK_TIMEOUT_MS: '4000', WEBHOOK_POLL_MS: '100', PUBLIC_URL: 'https://orch.example.com' });
    service = await startService(notifierServiceWith(iso.env), iso.env);
    rpc = new RpcClient(service.infra.nc, service.infra.subjects);
  });

  afterAll(async () => {
    for (const r of receivers) await r.close();
    await service?.close();
    await iso?.cleanup();
  });

  it('signs generic deliveries so that a stock Standard Webhooks verifier accepts every one', async () => {
    const generic = await receiver();
    const hook = await subscribe({ url: generic.url, kind: 'generic', events: ['orchestration.bug.*'], taskCode: 'TSK-1' });
    expect(hook.secret).toMatch(/^whsec_/);
    const verifier = new Webhook(hook.secret!);
    const wanted = await emit('orchestration.bug.logged', { message: 'boom', taskCode: 'TSK-1' });
    await emit('orchestration.bug.logged', { message: 'other task', taskCode: 'TSK-2' });
    await emit('orchestration.task.created', { code: 'TSK-1' }, { type: 'task', id: 'TSK-1' });
    const wanted2 = await emit('orchestration.bug.regressed', { message: 'again', taskCode: 'TSK-1' });
    await waitFor('two deliveries', () => generic.accepted.length >= 2);
    for (const r of generic.requests) {
      const verified = verifier.verify(r.body, r.headers) as { id: string };
      expect(r.headers['webhook-id']).toBe(verified.id);
      expect(r.headers['idempotency-key']).toBe(verified.id);
    }
    expect(generic.requests.map((r) => r.json.id).sort()).toEqual([wanted.id, wanted2.id].sort());
    expect(generic.requests[0]!.json).toMatchObject({ type: 'orchestration.bug.logged', aggregateType: 'bug', data: { message: 'boom', taskCode: 'TSK-1' }, seq: wanted.seq });
    expect(() => verifier.verify(generic.requests[0]!.body.replace('boom', 'bam'), generic.requests[0]!.headers)).toThrow();
  });

  it('sends Slack an incoming-webhook payload written for people, with a link', async () => {
    const slack = await receiver();
    await subscribe({ url: slack.url, kind: 'slack', events: ['orchestration.agent.lost', 'orchestration.task.status_updated'] });
    // Shaped exactly as the agent manager and the planner emit them (parsed by the contracts).
    const agentLost = emitted(AgentLost, { type: 'orchestration.agent.lost', data: { agentId: 'agent-3', name: 'claude-3', type: 'claude-code', taskCodes: ['TSK-9', 'TSK-10'] } });
    const taskBlocked = emitted(TaskStatusUpdated, { type: 'orchestration.task.status_updated', data: { from: 'FAILED', to: 'BLOCKED', reason: 'retries exhausted <!channel>' } });
    await emit(agentLost.type, agentLost.data, { type: 'agent', id: 'agent-3' });
    await emit(taskBlocked.type, taskBlocked.data, { type: 'task', id: 'TSK-9' });
    await waitFor('two Slack messages', () => slack.accepted.length >= 2);
    const lost = slack.requests.find((r) => String(r.json.text).includes('Agent lost'));
    const blocked = slack.requests.find((r) => String(r.json.text).includes('Task blocked'));
    expect(slack.requests.every((r) => r.headers['webhook-signature'] === undefined)).toBe(true);
    for (const r of slack.requests) {
      expect(typeof r.json.text).toBe('string');
      const blocks = r.json.blocks as Array<{ type: string; text?: { type: string; text: string }; elements?: Array<{ url?: string }> }>;
      expect(blocks[0]).toMatchObject({ type: 'section', text: { type: 'mrkdwn' } });
      expect(blocks.find((b) => b.type === 'actions')?.elements?.[0]?.url).toMatch(/^https:\/\/orch\.example\.com\/api\/v1\/(agents|tasks)\//);
    }
    expect(lost!.json.text).toContain('Agent lost: claude-3');
    expect(JSON.stringify(lost!.json.blocks)).toContain('TSK-9, TSK-10');
    expect(blocked!.json.text).toBe(':no_entry: Task blocked: TSK-9 (was FAILED)');
    expect(JSON.stringify(blocked!.json.blocks)).toContain('Reason: retries exhausted &lt;!channel&gt;');
    // Text from events cannot ping a channel.
    expect(JSON.stringify(blocked!.json)).not.toContain('<!channel>');
  });

  it('sends Discord content and embeds, with mentions off', async () => {
    const discord = await receiver();
    await subscribe({ url: discord.url, kind: 'discord', events: ['orchestration.workflow.completed'] });
    const completed = emitted(WorkflowCompleted, { type: 'orchestration.workflow.completed', data: { taskCount: 4 } });
    await emit(completed.type, completed.data, { type: 'workflow', id: 'WFL-1' });
    await waitFor('a Discord message', () => discord.accepted.length >= 1);
    expect(discord.requests[0]!.json).toMatchObject({ content: 'Workflow completed: WFL-1', embeds: [{ description: '4 tasks done' }] });
    expect(discord.requests[0]!.json).toMatchObject({ content: expect.stringContaining('Workflow completed: WFL-1'), embeds: [{ title: expect.any(String), color: expect.any(Number) }], allowed_mentions: { parse: [] } });
  });

  it('retries a receiver that fails twice: delivered once, three attempts logged', async () => {
    const flaky = await receiver((n) => ({ status: n < 2 ? 503 : 200 }));
    const hook = await subscribe({ url: flaky.url, kind: 'generic', events: ['orchestration.phase.override'] });
    const event = await emit('orchestration.phase.override', { sessionKey: 's1', taskCode: 'TSK-4', reason: 'hotfix' }, { type: 'session' });
    const [delivered] = await waitFor('the delivery to succeed', async () => {
      const items = await deliveries(hook.id);
      return items[0]?.status === 'DELIVERED' && items;
    });
    expect(flaky.accepted).toHaveLength(1);
    expect(new Set(flaky.requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([event.id]));
    expect(delivered).toMatchObject({ eventId: event.id, attempts: 3, lastStatusCode: 200, nextAttemptAt: null });
    expect(delivered!.log.map((a) => a.statusCode)).toEqual([503, 503, 200]);
    expect(delivered!.log.every((a) => a.latencyMs >= 0)).toBe(true);
  });

  it('never lets an endpoint that does not answer hold up the others', async () => {
    const dead = await receiver(() => 'hang');
    const live = await receiver();
    const stuck = await subscribe({ url: dead.url, kind: 'generic', events: ['orchestration.sprint.updated'] });
    await subscribe({ url: live.url, kind: 'generic', events: ['orchestration.sprint.updated'] });
    const sent = [];
    for (let i = 0; i < 10; i++) sent.push(await emit('orchestration.sprint.updated', { n: i }, { type: 'sprint' }));
    await waitFor('the live receiver to get all ten', () => live.accepted.length === 10);
    // Meanwhile the dead endpoint has not even timed out once: nothing of it waited on the other.
    const stuckLog = await deliveries(stuck.id);
    expect(stuckLog).toHaveLength(10);
    expect(stuckLog.every((d) => d.attempts === 0 && d.status === 'PENDING')).toBe(true);
    await waitFor('the dead endpoint to have been asked too', () => dead.requests.length > 0);
    expect(live.accepted.map((r) => r.json.id).sort()).toEqual(sent.map((s) => s.id).sort());
  });

  it('honours Retry-After', async () => {
    const busy = await receiver((n) => (n === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 }));
    const hook = await subscribe({ url: busy.url, kind: 'slack', events: ['orchestration.bug.regressed'], taskCode: 'TSK-77' });
    await emit('orchestration.bug.regressed', { message: 'x', taskCode: 'TSK-77' });
    const [d] = await waitFor('delivered after the wait', async () => {
      const items = await deliveries(hook.id);
      return items[0]?.status === 'DELIVERED' && items;
    });
    const [first, second] = d!.log;
    expect(first!.statusCode).toBe(429);
    expect(Date.parse(second!.at) - Date.parse(first!.at)).toBeGreaterThanOrEqual(1000);
  });

  it('dead-letters after the last attempt and redelivers by hand', async () => {
    let healthy = false;
    const broken = await receiver(() => ({ status: healthy ? 200 : 500 }));
    const hook = await subscribe({ url: broken.url, kind: 'generic', events: ['orchestration.session.suspended'] });
    await emit('orchestration.session.suspended', { sessionKey: 's2', taskCode: 'TSK-5', sprintCode: null, reason: 'agent lost' }, { type: 'session' });
    const [dead] = await waitFor('a dead letter', async () => {
      const items = await deliveries(hook.id);
      return items[0]?.status === 'DEAD' && items;
    });
    expect(dead).toMatchObject({ attempts: 3, lastStatusCode: 500, nextAttemptAt: null });
    healthy = true;
    const requeued = await call<{ status: string }>(WebhookRoutes.redeliver as RpcRoute, { id: hook.id, deliveryId: dead!.id });
    expect(requeued.value.status).toBe('PENDING');
    await waitFor('the redelivery', async () => (await deliveries(hook.id))[0]?.status === 'DELIVERED');
    expect((await deliveries(hook.id))[0]).toMatchObject({ attempts: 4, log: [{ statusCode: 500 }, { statusCode: 500 }, { statusCode: 500 }, { statusCode: 200 }] });
    await expect(call(WebhookRoutes.redeliver as RpcRoute, { id: hook.id, deliveryId: randomUUID() })).rejects.toMatchObject({ code: 'WEBHOOK.DELIVERY_NOT_FOUND' });
  });

  it('disables a subscription whose receiver answers 410 Gone, with an event in the log', async () => {
    const gone = await receiver(() => ({ status: 410 }));
    const hook = await subscribe({ url: gone.url, kind: 'generic', events: ['orchestration.sprint.created'] });
    await emit('orchestration.sprint.created', { code: 'SPR-9' }, { type: 'sprint' });
    const view = await waitFor('the subscription to be disabled', async () => {
      const v = (await call<{ enabled: boolean; disabledReason: string }>(WebhookRoutes.getWebhook as RpcRoute, { id: hook.id })).value;
      return !v.enabled && v;
    });
    expect(view.disabledReason).toMatch(/410/);
    const commits = await service.infra.store.readSubject(service.infra.subjects.aggregate('webhook', hook.id), 0);
    expect(commits.flatMap((c) => c.events.map((e) => e.type))).toEqual(['orchestration.webhook.created', 'orchestration.webhook.disabled']);
    await emit('orchestration.sprint.created', { code: 'SPR-10' }, { type: 'sprint' });
    await service.projections.get('webhooks')!.catchUp(10_000);
    expect(await deliveries(hook.id)).toHaveLength(1);
    expect(gone.requests).toHaveLength(1);
  });

  it('cancels what waits when disabled by hand, skips what is logged meanwhile, and takes a cancelled one again once enabled', async () => {
    let answer: { status: number; headers?: Record<string, string> } = { status: 503, headers: { 'retry-after': '3600' } };
    const r = await receiver(() => answer);
    const hook = await subscribe({ url: r.url, kind: 'generic', events: ['orchestration.sprint.closed'] });
    const waiting = await emit('orchestration.sprint.closed', { code: 'SPR-20' }, { type: 'sprint' });
    await waitFor('a retry an hour away', async () => (await deliveries(hook.id))[0]?.attempts === 1);
    const off = await call<{ enabled: boolean; disabledReason: string }>(WebhookRoutes.disableWebhook as RpcRoute, { id: hook.id, body: { reason: 'endpoint in maintenance' } });
    expect(off.value).toMatchObject({ enabled: false, disabledReason: 'disabled by human admin: endpoint in maintenance' });
    await service.projections.get('webhooks')!.catchUp(10_000);
    const [cancelled] = await deliveries(hook.id);
    expect(cancelled).toMatchObject({ eventId: waiting.id, status: 'CANCELLED', lastError: 'subscription disabled', nextAttemptAt: null });
    await expect(call(WebhookRoutes.redeliver as RpcRoute, { id: hook.id, deliveryId: cancelled!.id })).rejects.toMatchObject({ code: 'WEBHOOK.DISABLED' });
    await emit('orchestration.sprint.closed', { code: 'SPR-21' }, { type: 'sprint' });
    answer = { status: 200 };
    expect((await call<{ enabled: boolean }>(WebhookRoutes.enableWebhook as RpcRoute, { id: hook.id })).value.enabled).toBe(true);
    const after = await emit('orchestration.sprint.closed', { code: 'SPR-22' }, { type: 'sprint' });
    await waitFor('the event after enabling', () => r.accepted.some((q) => q.json.id === after.id));
    expect((await call<{ status: string }>(WebhookRoutes.redeliver as RpcRoute, { id: hook.id, deliveryId: cancelled!.id })).value.status).toBe('PENDING');
    await waitFor('the cancelled one, by hand', () => r.accepted.some((q) => q.json.id === waiting.id));
    // The one logged while disabled was never queued.
    expect((await deliveries(hook.id)).map((d) => d.eventId)).toEqual([after.id, waiting.id]);
    const commits = await service.infra.store.readSubject(service.infra.subjects.aggregate('webhook', hook.id), 0);
    expect(commits.flatMap((c) => c.events.map((e) => [e.type, e.data.statusCode ?? null]))).toEqual([
      ['orchestration.webhook.created', null],
      ['orchestration.webhook.disabled', null],
      ['orchestration.webhook.enabled', null],
    ]);
  });

  it('keeps the URL token and the signing secret out of the log', async () => {
    const slackUrl = `${(await receiver()).url}/services/T000/B000/SLACKTOKEN123`;
    await subscribe({ url: slackUrl, kind: 'slack', events: ['orchestration.bug.logged'] });
    const generic = await subscribe({ url: `${(await receiver()).url}?token=QUERYTOKEN`, kind: 'generic', events: ['orchestration.bug.logged'] });
    const last = await service.infra.store.lastSeq();
    let log = '';
    for (let seq = 1; seq <= last; seq++) log += JSON.stringify(await service.infra.store.readCommit(seq));
    expect(log).not.toContain('SLACKTOKEN123');
    expect(log).not.toContain('QUERYTOKEN');
    expect(log).not.toContain(generic.secret!.slice(6));
    const listed = (await call<{ items: Array<{ url: string }> }>(WebhookRoutes.listWebhooks as RpcRoute, {})).value.items;
    expect(JSON.stringify(listed)).not.toMatch(/SLACKTOKEN123|QUERYTOKEN|whsec_/);
  });

  it('answers a retried create with the same subscription and secret', async () => {
    const r = await receiver();
    const commandId = randomUUID();
    const first = await call<WebhookCreatedReply>(WebhookRoutes.createWebhook as RpcRoute, { url: r.url, kind: 'generic', events: ['>'] }, commandId);
    const again = await call<WebhookCreatedReply>(WebhookRoutes.createWebhook as RpcRoute, { url: r.url, kind: 'generic', events: ['>'] }, commandId);
    expect(again.value).toEqual(first.value);
    await call(WebhookRoutes.deleteWebhook as RpcRoute, { id: first.value.id });
  });

  it('refuses bad input and writes nothing', async () => {
    const before = await service.infra.store.lastSeq();
    const refused = (body: object) => call(WebhookRoutes.createWebhook as RpcRoute, body);
    await expect(refused({ url: 'http://10.0.0.7/hook', kind: 'generic', events: ['>'] })).rejects.toMatchObject({ code: 'WEBHOOK.TARGET_REFUSED' });
    await expect(refused({ url: 'http://169.254.169.254/latest', kind: 'slack', events: ['>'] })).rejects.toMatchObject({ code: 'WEBHOOK.TARGET_REFUSED' });
    await expect(refused({ url: 'https://no-such-host.invalid/x', kind: 'slack', events: ['>'] })).rejects.toMatchObject({ code: 'WEBHOOK.TARGET_REFUSED' });
    await expect(refused({ url: 'ftp://example.com/x', kind: 'slack', events: ['>'] })).rejects.toMatchObject({ errors: [expect.objectContaining({ path: 'url' })] });
    await expect(refused({ url: 'http://127.0.0.1/', kind: 'teams', events: ['>'] })).rejects.toMatchObject({ errors: [expect.objectContaining({ path: 'kind' })] });
    await expect(refused({ url: 'http://127.0.0.1/', kind: 'slack', events: ['orchestration.>.x'] })).rejects.toMatchObject({ errors: [expect.objectContaining({ path: 'events.0' })] });
    await expect(refused({ url: 'http://127.0.0.1/', kind: 'slack', events: [] })).rejects.toMatchObject({ errors: [expect.objectContaining({ path: 'events' })] });
    await expect(refused({ url: 'http://127.0.0.1/', kind: 'slack', events: ['>'], secret: 'mine' })).rejects.toMatchObject({ code: 'REQUEST.INVALID', errors: [{ path: 'secret', message: 'is not a known field' }] });
    const unknown = 'wh_0000000000000000';
    await expect(call(WebhookRoutes.deleteWebhook as RpcRoute, { id: unknown })).rejects.toMatchObject({ code: 'WEBHOOK.NOT_FOUND' });
    await expect(call(WebhookRoutes.listDeliveries as RpcRoute, { id: unknown, query: { limit: 5 } })).rejects.toMatchObject({ code: 'WEBHOOK.NOT_FOUND' });
    await expect(call(WebhookRoutes.getWebhook as RpcRoute, { id: 'not an id' })).rejects.toMatchObject({ errors: [expect.objectContaining({ path: 'id' })] });
    expect(await service.infra.store.lastSeq()).toBe(before);
  });

  it('does not send history again when the projection is rebuilt', async () => {
    const r = await receiver();
    const hook = await subscribe({ url: r.url, kind: 'generic', events: ['orchestration.bug.resolved'] });
    await emit('orchestration.bug.resolved', { resolution: 'fixed' });
    await waitFor('one delivery', () => r.accepted.length === 1);
    const runner = service.projections.get('webhooks')!;
    await runner.rebuild();
    await runner.catchUp(10_000);
    await emit('orchestration.bug.resolved', { resolution: 'fixed again' });
    await waitFor('the new one', () => r.accepted.length >= 2);
    expect(r.requests).toHaveLength(2);
    expect(await deliveries(hook.id)).toHaveLength(2);
  });

  it('does not send history again when the retention job removed its log and the projection is rebuilt', async () => {
    const r = await receiver();
    const hook = await subscribe({ url: r.url, kind: 'generic', events: ['orchestration.sprint.archived'] });
    const old = await emit('orchestration.sprint.archived', { code: 'SPR-30' }, { type: 'sprint' });
    await waitFor('delivered and logged', async () => (await deliveries(hook.id))[0]?.status === 'DELIVERED');
    // The retention job of docs/webhooks.md (every finished delivery, whatever its age).
    await service.infra.dataSource!.query(`DELETE FROM webhook_deliveries WHERE subscription_id = $1 AND status IN ('DELIVERED','CANCELLED')`, [hook.id]);
    const runner = service.projections.get('webhooks')!;
    await runner.rebuild();
    await runner.catchUp(10_000);
    const fresh = await emit('orchestration.sprint.archived', { code: 'SPR-31' }, { type: 'sprint' });
    await waitFor('the new one', () => r.accepted.some((q) => q.json.id === fresh.id));
    expect(r.requests.map((q) => q.json.id)).toEqual([old.id, fresh.id]);
    expect((await deliveries(hook.id)).map((d) => d.eventId)).toEqual([fresh.id]);
  });
});
