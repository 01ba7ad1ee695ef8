import { waitFor } from '@orch/testing';
import { BACKEND_SERVICES } from './ops/readiness';
import { GatewayHarness } from './testing/gateway-harness';

describe('the operations endpoints at the root', () => {
  let h: GatewayHarness;
  beforeAll(async () => {
    h = await GatewayHarness.start();
  });
  afterAll(() => h.close());

  it('/health is 200 without a key', async () => {
    const res = await h.fetch('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  describe('/ready', () => {
    it('is 503 naming each check while the services are not running', async () => {
      const res = await h.fetch('/ready');
      expect(res.status).toBe(503);
      const body = (await res.json()) as { status: string; checks: Record<string, string> };
      expect(body.status).toBe('unavailable');
      expect(body.checks).toMatchObject({ nats: 'up', postgres: 'up', redis: 'up', planner: 'down', notifier: 'down' });
      expect(Object.keys(body.checks).sort()).toEqual(['nats', 'postgres', 'redis', ...BACKEND_SERVICES].sort());
    });

    it('is 503 while one service is degraded, and 200 once every service answers up', async () => {
      for (const service of BACKEND_SERVICES.filter((s) => s !== 'bug-service')) h.fakeHealth(service);
      const degraded = h.fakeHealth('bug-service', 'degraded');
      const res = await h.fetch('/ready');
      expect(res.status).toBe(503);
      expect(((await res.json()) as { checks: unknown }).checks).toMatchObject({ planner: 'up', 'bug-service': 'down' });

      degraded.unsubscribe();
      h.fakeHealth('bug-service');
      const ready = await waitFor('the gateway to be ready', async () => {
        const r = await h.fetch('/ready');
        return r.status === 200 ? ((await r.json()) as { status: string; checks: Record<string, string> }) : undefined;
      });
      expect(ready.status).toBe('ready');
      expect(new Set(Object.values(ready.checks))).toEqual(new Set(['up']));
    });
  });

  describe('/metrics', () => {
    it('needs the admin key', async () => {
      expect((await h.fetch('/metrics')).status).toBe(401);
      expect((await h.fetch('/metrics', { key: 'dev-viewer-key' })).status).toBe(403);
    });

    it('counts requests by route pattern and status, and service errors by code', async () => {
      await h.fetch('/api/v1/tasks/TSK-404', { key: 'dev-viewer-key' }); // no planner: 503
      const res = await h.fetch('/metrics', { key: 'dev-admin-key' });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await res.text();
      expect(text).toContain('orch_gateway_http_requests_total{method="GET",route="/health",status="200"');
      expect(text).toMatch(/orch_gateway_http_request_duration_seconds_bucket\{[^}]*route="\/api\/v1\/tasks\/:code",status="503"/);
      expect(text).toContain('orch_gateway_rpc_errors_total{service="planner",route="task.get",code="SERVICE.UNAVAILABLE"');
    });
  });

  describe('the API documentation', () => {
    it('/openapi.json is an OpenAPI 3.1 document of the API, without a key', async () => {
      const res = await h.fetch('/openapi.json');
      expect(res.status).toBe(200);
      const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
      expect(doc.openapi).toBe('3.1.0');
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/tasks', '/api/v1/tasks/{code}', '/api/v1/sprints/{code}', '/api/v1/events', '/health']));
    });

    it('/docs is an HTML page whose scripts and styles the gateway serves itself', async () => {
      const page = await h.fetch('/docs');
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await page.text();
      const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
      expect(assets.every((a) => a.startsWith('docs/'))).toBe(true);
      for (const asset of assets) {
        const res = await h.fetch(`/${asset}`);
        expect([asset, res.status]).toEqual([asset, 200]);
        expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(10);
      }
      expect((await h.fetch('/docs/secrets.js')).status).toBe(404);
      expect((await h.fetch('/docs/..%2Fpackage.json')).status).toBe(400);
    });
  });
});
