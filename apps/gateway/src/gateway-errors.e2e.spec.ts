import { LogRoutes, PlannerRoutes } from '@orch/contracts';
import { GatewayHarness } from './testing/gateway-harness';
import { sampleTask } from './testing/samples';

const AGENT = 'dev-agent-key';
const ADMIN = 'dev-admin-key';
const VIEWER = 'dev-viewer-key';

async function problem(res: Response) {
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.headers.get('x-correlation-id')).toBeTruthy();
  return (await res.json()) as { status: number; code: string; detail: string; errors?: Array<{ path: string }>; missing?: unknown[]; instance: string };
}

describe('the gateway answers every failure as problem+json', () => {
  let h: GatewayHarness;
  beforeAll(async () => {
    h = await GatewayHarness.start({ BODY_LIMIT_BYTES: '2048' });
    h.fakeRoute(PlannerRoutes.createTask, ({ payload }) => ({ ok: true, value: sampleTask({ title: (payload as { title: string }).title }), seq: 1 }));
  });
  afterAll(() => h.close());

  describe('when the caller has no usable key', () => {
    it('is 401 AUTH.MISSING_KEY with WWW-Authenticate when no key is sent', async () => {
      const res = await h.fetch('/api/v1/tasks');
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await problem(res)).toMatchObject({ code: 'AUTH.MISSING_KEY', instance: '/api/v1/tasks' });
    });

    it('is 401 AUTH.INVALID_KEY for an unknown key', async () => {
      const res = await h.fetch('/api/v1/tasks', { key: 'not-a-key-at-all' });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('invalid_token');
      expect((await problem(res)).code).toBe('AUTH.INVALID_KEY');
    });

    it('is 403 AUTH.FORBIDDEN when the role may not do it', async () => {
      const write = await h.fetch('/api/v1/tasks', { method: 'POST', key: VIEWER, json: { title: 'x' } });
      expect(write.status).toBe(403);
      expect((await problem(write)).code).toBe('AUTH.FORBIDDEN');
      const metrics = await h.fetch('/metrics', { key: AGENT });
      expect(metrics.status).toBe(403);
    });
  });

  describe('when the request is malformed', () => {
    it('is 414 REQUEST.PARAM_TOO_LONG, as a problem, for a path id longer than any id', async () => {
      const res = await h.fetch(`/api/v1/tasks/${'a'.repeat(5000)}`, { key: AGENT });
      expect(res.status).toBe(414);
      expect((await problem(res)).code).toBe('REQUEST.PARAM_TOO_LONG');
    });

    it('is 400 REQUEST.BAD_URL, as a problem, for a broken percent-encoding', async () => {
      const res = await h.fetch('/api/v1/tasks/%E0%A4%A', { key: AGENT });
      expect(res.status).toBe(400);
      expect((await problem(res)).code).toBe('REQUEST.BAD_URL');
    });

    it('is 400 REQUEST.MALFORMED_JSON for a body that is not JSON', async () => {
      const res = await h.fetch('/api/v1/tasks', { method: 'POST', key: ADMIN, body: '{"title": ', headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(400);
      expect((await problem(res)).code).toBe('REQUEST.MALFORMED_JSON');
    });

    it('is 415 for a body that is not sent as JSON', async () => {
      const res = await h.fetch('/api/v1/tasks', { method: 'POST', key: ADMIN, body: 'title=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(res.status).toBe(415);
      expect(await problem(res)).toMatchObject({ code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE', detail: expect.stringContaining('application/json') });
    });

    it('is 413 REQUEST.TOO_LARGE for a body over BODY_LIMIT_BYTES', async () => {
      const res = await h.fetch('/api/v1/tasks', { method: 'POST', key: ADMIN, json: { title: 'x', description: 'y'.repeat(4096) } });
      expect(res.status).toBe(413);
      expect((await problem(res)).code).toBe('REQUEST.TOO_LARGE');
    });

    it('is 400 naming every bad and unknown field at once', async () => {
      const res = await h.fetch('/api/v1/tasks', { method: 'POST', key: ADMIN, json: { title: '', priority: 'URGENT', colour: 'red' } });
      expect(res.status).toBe(400);
      const body = await problem(res);
      expect(body.code).toBe('REQUEST.INVALID');
      expect(body.errors!.map((e) => e.path).sort()).toEqual(['body.colour', 'body.priority', 'body.title']);
    });

    it('is 400 for a path id that is not a task code, before any service is asked', async () => {
      const res = await h.fetch('/api/v1/tasks/not.a.code', { key: AGENT });
      expect(res.status).toBe(400);
      expect((await problem(res)).errors).toEqual([{ path: 'params.code', message: expect.stringContaining('TSK-') }]);
    });

    it('is 400 for an unknown or mistyped query parameter', async () => {
      const res = await h.fetch('/api/v1/tasks?limit=lots&colour=red', { key: AGENT });
      expect(res.status).toBe(400);
      expect((await problem(res)).errors!.map((e) => e.path).sort()).toEqual(['query.colour', 'query.limit']);
    });
  });

  it('is 404 ROUTE.NOT_FOUND for a route that does not exist', async () => {
    const res = await h.fetch('/api/v1/nothing-here', { key: AGENT });
    expect(res.status).toBe(404);
    expect((await problem(res)).code).toBe('ROUTE.NOT_FOUND');
  });

  it('is 503 naming the service when no instance of it answers', async () => {
    const res = await h.fetch('/api/v1/events', { key: AGENT });
    expect(res.status).toBe(503);
    expect(await problem(res)).toMatchObject({ code: 'SERVICE.UNAVAILABLE', detail: expect.stringContaining(LogRoutes.listEvents.service) });
  });

  it("passes a service's typed error on with its status, code and missing items", async () => {
    h.fakeRoute(PlannerRoutes.updateTask, () => ({
      ok: false,
      error: { name: 'RuleViolation', code: 'TASK.NOT_READY', status: 422, message: 'TSK-1 depends on TSK-0', extra: { missing: [{ kind: 'task', name: 'TSK-0' }] } },
    }));
    const res = await h.fetch('/api/v1/tasks/TSK-1', { method: 'PATCH', key: ADMIN, json: { status: 'READY' } });
    expect(res.status).toBe(422);
    expect(await problem(res)).toMatchObject({ code: 'TASK.NOT_READY', detail: 'TSK-1 depends on TSK-0', missing: [{ kind: 'task', name: 'TSK-0' }] });
  });

  it('is 500 INTERNAL without internals when a service answers nonsense', async () => {
    h.fakeRoute(PlannerRoutes.getTask, () => ({ ok: true, value: { code: 'TSK-1', secretColumn: 'pg internals' } }));
    const res = await h.fetch('/api/v1/tasks/TSK-1', { key: AGENT, headers: { 'x-correlation-id': 'trace-500' } });
    expect(res.status).toBe(500);
    const body = await problem(res);
    expect(body).toMatchObject({ code: 'INTERNAL', detail: expect.stringContaining('trace-500') });
    expect(JSON.stringify(body)).not.toContain('secretColumn');
  });
});
