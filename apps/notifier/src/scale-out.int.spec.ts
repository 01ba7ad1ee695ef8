import { randomUUID } from 'node:crypto';
import { WebhookRoutes, type RpcRoute, type WebhookCreatedReply } from '@orch/contracts';
import { RpcClient } from '@orch/messaging';
import { startService, type RunningService } from '@orch/service-kit';
import { isolatedEnv, waitFor, type IsolatedEnv } from '@orch/testing';
import { notifierServiceWith } from './app.module';
import { appendEvent } from './testing/events';
import { Receiver } from './testing/receiver';

describe('several notifier instances (real NATS, Postgres)', () => {
  let iso: IsolatedEnv;
  const instances: RunningService[] = [];
  let receiver: Receiver;

  beforeAll(async () => {
    iso = isolatedEnv({ WEBHOOK_POLL_MS: '50' });
    for (let i = 0; i < 3; i++) instances.push(await startService(notifierServiceWith(iso.env), iso.env));
    receiver = await Receiver.start();
  });

  afterAll(async () => {
    await receiver?.close();
    for (const s of instances) await s.close();
    await iso?.cleanup();
  });

  it('sends each delivery once between them: one projects, all send, none twice', async () => {
    const [first] = instances;
    const rpc = new RpcClient(first!.infra.nc, first!.infra.subjects);
    const meta = { actor: { kind: 'human' as const, id: 'admin', role: 'admin' as const }, commandId: randomUUID(), issuedAt: new Date().toISOString() };
    await rpc.call(WebhookRoutes.createWebhook as RpcRoute, { url: receiver.url, kind: 'generic', events: ['orchestration.bug.*'] }, { meta, correlationId: randomUUID() }).then((r) => r.value as WebhookCreatedReply);
    const sent = [];
    for (let i = 0; i < 60; i++) sent.push((await appendEvent(first!.infra.store, first!.infra.subjects, 'orchestration.bug.occurred', { message: `m${i}` })).id);
    await waitFor('all sixty', () => receiver.accepted.length >= 60);
    expect(instances.filter((s) => s.projections.get('webhooks')!.status().active)).toHaveLength(1);
    expect(receiver.requests.map((r) => r.json.id).sort()).toEqual([...sent].sort());
  });
});
