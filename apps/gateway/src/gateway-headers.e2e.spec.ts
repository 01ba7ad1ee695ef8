import { PlannerRoutes, RpcMeta } from '@orch/contracts';
import { GatewayHarness, type SeenCall } from './testing/gateway-harness';
import { sampleSprint, sampleTask } from './testing/samples';

const AGENT = 'dev-agent-key';
const ADMIN = 'dev-admin-key';

describe('the headers that carry identity, idempotency, read-your-writes and concurrency', () => {
  let h: GatewayHarness;
  let creates: SeenCall[];
  let gets: SeenCall[];
  let lists: SeenCall[];
  let updates: SeenCall[];
  beforeAll(async () => {
    h = await GatewayHarness.start();
    creates = h.fakeRoute(PlannerRoutes.createSprint, () => ({ ok: true, value: sampleSprint(), seq: 41 }));
    gets = h.fakeRoute(PlannerRoutes.getTask, () => ({ ok: true, value: sampleTask({ version: 3 }), readSeq: 40 }));
    lists = h.fakeRoute(PlannerRoutes.listTasks, () => ({ ok: true, value: { items: [sampleTask()], nextCursor: null }, readSeq: 40 }));
    updates = h.fakeRoute(PlannerRoutes.updateTask, () => ({ ok: true, value: sampleTask({ version: 4, title: 'Renamed' }), seq: 42 }));
    h.fakeRoute(PlannerRoutes.updateSprint, ({ meta }) => ({
      ok: false,
      error: { name: 'PreconditionFailedError', code: 'SPRINT.VERSION_MISMATCH', status: 412, message: `expected version ${meta.expectedVersion}, current is 4`, extra: {} },
    }));
  });
  afterAll(() => h.close());
  const last = (calls: SeenCall[]) => calls[calls.length - 1]!;

  it('answers a write with 201, X-Orch-Seq and the view', async () => {
    const res = await h.fetch('/api/v1/sprints', { method: 'POST', key: ADMIN, json: { code: 'SPR-1', title: 'First sprint' } });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-orch-seq')).toBe('41');
    expect(await res.json()).toEqual(sampleSprint());
    expect(last(creates).payload).toEqual({ code: 'SPR-1', title: 'First sprint' });
  });

  it('sends the same command id for a retried write with the same Idempotency-Key', async () => {
    const send = () => h.fetch('/api/v1/sprints', { method: 'POST', key: ADMIN, json: { code: 'SPR-1', title: 'First sprint' }, headers: { 'idempotency-key': 'create-spr-1' } });
    await send();
    await send();
    const [a, b] = creates.slice(-2).map((c) => c.meta.commandId);
    expect(a).toBe(b);
    expect(a).toMatch(/^idem-[0-9a-f]{40}$/); // scoped to the caller's key, see commandIdFor
  });

  it('sends a fresh command id for each write without a key', async () => {
    await h.fetch('/api/v1/sprints', { method: 'POST', key: ADMIN, json: { code: 'SPR-2', title: 'Second' } });
    await h.fetch('/api/v1/sprints', { method: 'POST', key: ADMIN, json: { code: 'SPR-2', title: 'Second' } });
    const [a, b] = creates.slice(-2).map((c) => c.meta.commandId);
    expect(a).toMatch(/^[0-9a-f-]{36}$/);
    expect(a).not.toBe(b);
  });

  it('refuses an Idempotency-Key that is not 1-128 safe characters', async () => {
    const res = await h.fetch('/api/v1/sprints', { method: 'POST', key: ADMIN, json: { code: 'SPR-3', title: 'x' }, headers: { 'idempotency-key': 'no spaces please' } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('REQUEST.INVALID_HEADER');
  });

  it('acts for the key by its id, never the key itself, with a valid RpcMeta', async () => {
    await h.fetch('/api/v1/tasks/TSK-1', { key: AGENT });
    const { meta } = last(gets);
    expect(RpcMeta.safeParse(meta).success).toBe(true);
    expect(meta.actor).toEqual({ kind: 'agent', id: 'dev-agent', role: 'agent' });
    expect(JSON.stringify(meta)).not.toContain(AGENT);
    expect(Math.abs(Date.parse(meta.issuedAt) - Date.now())).toBeLessThan(5_000);
  });

  it('says in Server-Timing how long it waited on the service and how long it took itself', async () => {
    h.fakeRoute(PlannerRoutes.getSprint, () => ({ ok: true, value: sampleSprint(), readSeq: 40 }), { delayMs: 40 });
    const timing = (res: Response) =>
      Object.fromEntries((res.headers.get('server-timing') ?? '').split(', ').map((m) => [m.split(';')[0], Number(m.split('dur=')[1])]));
    const slow = timing(await h.fetch('/api/v1/sprints/SPR-1', { key: AGENT }));
    expect(Object.keys(slow)).toEqual(['gateway', 'service']);
    expect(slow.service).toBeGreaterThanOrEqual(40); // the fake service answered after 40 ms
    expect(slow.gateway).toBeGreaterThanOrEqual(0);
    const local = timing(await h.fetch('/health'));
    expect(local.service).toBe(0); // answered by the gateway alone
    expect(local.gateway).toBeGreaterThan(0);
  });

  it('echoes the caller\'s correlation id and sends it to the service', async () => {
    const res = await h.fetch('/api/v1/tasks/TSK-1', { key: AGENT, headers: { 'x-correlation-id': 'trace-abc-1' } });
    expect(res.headers.get('x-correlation-id')).toBe('trace-abc-1');
    expect(last(gets).correlationId).toBe('trace-abc-1');
  });

  it('generates a correlation id when none is sent, and uses the same one on NATS', async () => {
    const res = await h.fetch('/api/v1/tasks/TSK-1', { key: AGENT });
    const id = res.headers.get('x-correlation-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(last(gets).correlationId).toBe(id);
  });

  it('answers a single resource with its ETag and the read sequence', async () => {
    const res = await h.fetch('/api/v1/tasks/TSK-1', { key: AGENT });
    expect(res.headers.get('etag')).toBe('"3"');
    expect(res.headers.get('x-orch-read-seq')).toBe('40');
  });

  it('passes X-Orch-Min-Seq to the service as minSeq, and refuses a non-integer', async () => {
    const res = await h.fetch('/api/v1/tasks?status=READY', { key: AGENT, headers: { 'x-orch-min-seq': '42' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-orch-read-seq')).toBe('40');
    expect(res.headers.get('etag')).toBeNull();
    expect(last(lists).meta.minSeq).toBe(42);
    expect(last(lists).payload).toEqual({ status: 'READY', limit: 100 });
    const bad = await h.fetch('/api/v1/tasks', { key: AGENT, headers: { 'x-orch-min-seq': 'soon' } });
    expect(bad.status).toBe(400);
  });

  it('passes If-Match to the service as expectedVersion and answers the new ETag and sequence', async () => {
    const res = await h.fetch('/api/v1/tasks/TSK-1', { method: 'PATCH', key: ADMIN, json: { title: 'Renamed' }, headers: { 'if-match': '"3"' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"4"');
    expect(res.headers.get('x-orch-seq')).toBe('42');
    expect(last(updates).meta.expectedVersion).toBe(3);
    expect(last(updates).payload).toEqual({ code: 'TSK-1', changes: { title: 'Renamed' } });
  });

  it('sends no expectation without If-Match', async () => {
    await h.fetch('/api/v1/tasks/TSK-1', { method: 'PATCH', key: ADMIN, json: { title: 'Again' } });
    expect(last(updates).meta.expectedVersion).toBeUndefined();
  });

  it("answers 412 when the service finds another version than If-Match's", async () => {
    const res412 = await h.fetch('/api/v1/sprints/SPR-1', { method: 'PATCH', key: ADMIN, json: { title: 'Late' }, headers: { 'if-match': '2' } });
    expect(res412.status).toBe(412);
    expect(await res412.json()).toMatchObject({ code: 'SPRINT.VERSION_MISMATCH', detail: 'expected version 2, current is 4' });
  });
});
