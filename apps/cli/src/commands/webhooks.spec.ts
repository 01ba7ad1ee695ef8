import { runCli } from '../cli';
import { fakeGateway, type Recorded } from '../testing/fake-gateway';



const ID = 'wh_0123456789abcdef';
const DELIVERY = '6f1c1c9e-4a4b-4b8a-9d0c-1f2e3d4c5b6a';
const webhook = { id: ID, kind: 'generic', url: 'https://example.com/hooks/…', events: ['orchestration.bug.*'], sprintCode: null, taskCode: 'TSK-1', description: null, enabled: true, disabledReason: null, createdAt: '2026-01-01T00:00:00.000Z', version: 1 };
const delivery = {
  id: DELIVERY,
  webhookId: ID,
  eventId: 'e1',
  eventType: 'orchestration.bug.logged',
  seq: 7,
  status: 'DEAD',
  attempts: 3,
  lastStatusCode: 500,
  lastError: 'HTTP 500',
  nextAttemptAt: null,
  deliveredAt: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  log: [{ attempt: 3, at: '2026-01-01T00:00:01.000Z', statusCode: 500, latencyMs: 12.4, error: 'HTTP 500' }],
};

describe('orch webhooks', () => {
  let gateway: Awaited<ReturnType<typeof fakeGateway>>;
  beforeAll(async () => {
    gateway = await fakeGateway((req) => {
      if (req.url.includes('wh_ffffffffffffffff')) return { status: 404, body: { type: 'about:blank', title: 'Not found', status: 404, code: 'WEBHOOK.NOT_FOUND', detail: 'Webhook wh_ffffffffffffffff does not exist' } };
      if (req.method === 'POST' && req.url === '/api/v1/webhooks') return { status: 201, body: { ...webhook, secret: 'whsec_c2VjcmV0' } };
      if (req.method === 'DELETE') return { status: 200, body: { id: ID, deleted: true } };
      if (req.url.endsWith('/disable')) return { status: 200, body: { ...webhook, enabled: false, disabledReason: 'disabled by human admin: channel archived', version: 2 } };
      if (req.url.endsWith('/enable')) return { status: 200, body: { ...webhook, version: 3 } };
      if (req.url.includes('/redeliver')) return { status: 202, body: { ...delivery, status: 'PENDING' } };
      if (req.url.includes('/deliveries')) return { status: 200, body: { items: [delivery] } };
      return { status: 200, body: { items: [webhook] } };
    });
  });
  afterAll(() => gateway.close());
  beforeEach(() => {
    gateway.requests.length = 0;
  });

  const orch = async (...args: string[]) => {
    let stdout = '';
    let stderr = '';
    const io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } };
    const code = await runCli(args, { io, env: { ORCH_URL: gateway.url, ORCH_API_KEY: 'dev-admin-key' } });
    return { code, stdout, stderr };
  };

  it('adds a subscription and shows its secret once', async () => {
    const r = await orch('webhooks', 'add', 'https://example.com/hooks/x', '--kind', 'generic', '--events', 'orchestration.bug.*, orchestration.agent.lost', '--task', 'TSK-1');
    expect(r.code).toBe(0);
    expect(gateway.requests[0]).toMatchObject({ method: 'POST', url: '/api/v1/webhooks', body: { url: 'https://example.com/hooks/x', kind: 'generic', events: ['orchestration.bug.*', 'orchestration.agent.lost'], taskCode: 'TSK-1' } });
    expect(r.stdout).toContain(`webhook ${ID}`);
    expect(r.stdout).toContain('signing secret (shown once, keep it now): whsec_c2VjcmV0');
  });

  it('lists, deletes, shows deliveries and redelivers', async () => {
    expect((await orch('webhooks', 'list')).stdout).toContain(ID);
    expect((await orch('webhooks', 'rm', ID)).stdout).toBe(`deleted ${ID}\n`);
    const log = await orch('webhooks', 'deliveries', ID, '--status', 'dead', '--limit', '5');
    expect(log.stdout).toMatch(/DEAD.*orchestration\.bug\.logged.*3.*500.*12 ms/);
    const again = await orch('webhooks', 'redeliver', ID, DELIVERY, '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 'PENDING' });
    expect(gateway.requests.map((q) => `${q.method} ${q.url}`)).toEqual([
      'GET /api/v1/webhooks',
      `DELETE /api/v1/webhooks/${ID}`,
      `GET /api/v1/webhooks/${ID}/deliveries?status=DEAD&limit=5`,
      `POST /api/v1/webhooks/${ID}/deliveries/${DELIVERY}/redeliver`,
    ]);
  });

  it('disables a webhook by hand with a reason, and enables it again', async () => {
    const off = await orch('webhooks', 'disable', ID, '--reason', 'channel archived');
    expect(off).toMatchObject({ code: 0, stdout: `disabled ${ID}: disabled by human admin: channel archived\n` });
    const on = await orch('webhooks', 'enable', ID, '--json');
    expect(JSON.parse(on.stdout)).toMatchObject({ id: ID, enabled: true });
    expect((await orch('webhooks', 'disable', ID)).code).toBe(0);
    expect(gateway.requests.map((q) => [`${q.method} ${q.url}`, q.body])).toEqual([
      [`POST /api/v1/webhooks/${ID}/disable`, { reason: 'channel archived' }],
      [`POST /api/v1/webhooks/${ID}/enable`, undefined],
      [`POST /api/v1/webhooks/${ID}/disable`, {}],
    ]);
  });

  it('refuses an unknown kind and missing events before calling anyone', async () => {
    expect((await orch('webhooks', 'add', 'https://x.example', '--kind', 'teams', '--events', 'a')).code).toBe(2);
    expect((await orch('webhooks', 'add', 'https://x.example', '--kind', 'slack')).code).toBe(2);
    expect(gateway.requests).toHaveLength(0);
  });

  it('reports an unknown webhook with exit code 1', async () => {
    const r = await orch('webhooks', 'rm', 'wh_ffffffffffffffff');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('WEBHOOK.NOT_FOUND');
  });
});
