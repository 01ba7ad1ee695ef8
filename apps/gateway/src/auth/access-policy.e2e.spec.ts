import type { Role } from '@orch/contracts';
import { CONTROLLERS } from '../gateway.module';
import { discoverEndpoints } from '../http/discovery';
import { GatewayHarness } from '../testing/gateway-harness';

/**
 * Who may call what (SPEC §6), written out route by route so that a change is a reviewed line
 * here: `viewer` reads; `agent` works its own sessions, heartbeats and assignments, logs bugs,
 * plans and searches; `admin` may do everything. A route the gateway serves that this table
 * does not list fails the first test, so no route ships without a decision.
 */
const R = ['admin', 'agent', 'viewer'] as const; // readers
const W = ['admin', 'agent'] as const; // agents' own work
const A = ['admin'] as const; // people who run the system
const PUBLIC = 'public';

const POLICY: Record<string, readonly Role[] | typeof PUBLIC> = {
  'GET /health': PUBLIC,
  'GET /ready': PUBLIC,
  'GET /openapi.json': PUBLIC,
  'GET /docs': PUBLIC,
  'GET /docs/:asset': PUBLIC,
  'GET /metrics': A,
  'GET /api/v1/stats': R,
  'GET /api/v1/events': R,
  'GET /api/v1/events/stream': R,
  'GET /api/v1/search': R,

  'POST /api/v1/sprints': A,
  'GET /api/v1/sprints': R,
  'GET /api/v1/sprints/:code': R,
  'PATCH /api/v1/sprints/:code': A,
  'POST /api/v1/tasks': A,
  'GET /api/v1/tasks': R,
  'GET /api/v1/tasks/next': R,
  'GET /api/v1/tasks/:code': R,
  'PATCH /api/v1/tasks/:code': A,
  'POST /api/v1/tasks/:code/pull-request': W,
  'GET /api/v1/tasks/:code/changes.md': R,

  'POST /api/v1/plans': W,
  'GET /api/v1/plans/templates': R,
  'POST /api/v1/plans/validate': R,
  'GET /api/v1/plans': R,
  'GET /api/v1/plans/:id': R,
  'POST /api/v1/plans/:id/accept': A,
  'POST /api/v1/workflows': A,
  'GET /api/v1/workflows': R,
  'GET /api/v1/workflows/:id': R,
  'POST /api/v1/workflows/:id/pause': A,
  'POST /api/v1/workflows/:id/resume': A,
  'POST /api/v1/workflows/:id/cancel': A,

  'POST /api/v1/agents': W,
  'POST /api/v1/agents/spawn': A,
  'POST /api/v1/agents/match': R,
  'GET /api/v1/agents': R,
  'GET /api/v1/agents/:id': R,
  'DELETE /api/v1/agents/:id': W,
  'POST /api/v1/agents/:id/heartbeat': W,
  'GET /api/v1/agents/:id/assignments': W,

  'POST /api/v1/bugs': W,
  'GET /api/v1/bugs': R,
  'GET /api/v1/bugs/:hash': R,
  'PATCH /api/v1/bugs/:hash': W,

  'POST /api/v1/webhooks': A,
  'GET /api/v1/webhooks': R,
  'GET /api/v1/webhooks/:id': R,
  'DELETE /api/v1/webhooks/:id': A,
  'POST /api/v1/webhooks/:id/disable': A,
  'POST /api/v1/webhooks/:id/enable': A,
  'GET /api/v1/webhooks/:id/deliveries': R,
  'POST /api/v1/webhooks/:id/deliveries/:deliveryId/redeliver': A,
};

const sessionRoutes = (prefix: string, params: boolean) => {
  const writes = ['phase-complete', 'end', 'done', 'resume', 'suspend', 'notes', 'progress', 'artifacts', 'commits', 'changes'];
  return Object.fromEntries(writes.map((w) => [`POST ${prefix}${params ? '/:key' : ''}/${w}`, W]));
};
Object.assign(POLICY, {
  'POST /api/v1/sessions': W,
  'GET /api/v1/sessions': R,
  'GET /api/v1/sessions/:key': R,
  'GET /api/v1/sessions/:key/briefing': R,
  'GET /api/v1/sessions/:key/artifacts/:name': R,
  'PATCH /api/v1/sessions/:key/context': W,
  // Agent logs: an agent writes and reads only its own sessions' (checked by the session service).
  'POST /api/v1/sessions/:key/logs': W,
  'GET /api/v1/sessions/:key/logs': R,
  'GET /api/v1/sessions/:key/logs/stats': R,
  'GET /api/v1/sessions/:key/logs/export': R,
  ...sessionRoutes('/api/v1/sessions', true),
  'GET /api/v1/me/context': R,
  'PUT /api/v1/me/context': W,
  'GET /api/v1/me/session': R,
  'GET /api/v1/me/briefing': R,
  'PATCH /api/v1/me/state': W,
  ...sessionRoutes('/api/v1/me', false),
});

// Budgets: people who run the system set limits, agents report usage. Resources: admins run the pool.
Object.assign(POLICY, {
  'PUT /api/v1/budgets/:scope/:id': A,
  'POST /api/v1/budgets/:scope/:id/usage': W,
  'GET /api/v1/budgets/:scope/:id': R,
  'GET /api/v1/resources': R,
  'POST /api/v1/resources/hosts': A,
  'PUT /api/v1/resources/quotas': A,
});

// Conversation turns and scoped state (issue 12): agents write their own sessions (checked by the
// session service); reads are open, but a viewer sees shared state only and a private entry only
// its owner and an admin (checked by the session service, scope by scope).
const sessionScopeRoutes = (prefix: string) => ({
  [`POST ${prefix}/conversation`]: W,
  [`GET ${prefix}/conversation`]: R,
  [`GET ${prefix}/state`]: R,
  [`PUT ${prefix}/state/:name`]: W,
  [`GET ${prefix}/state/:name`]: R,
  [`DELETE ${prefix}/state/:name`]: W,
  [`GET ${prefix}/state/:name/history`]: R,
});
Object.assign(POLICY, sessionScopeRoutes('/api/v1/sessions/:key'), sessionScopeRoutes('/api/v1/me'));

const KEYS: Record<Role, string> = { admin: 'dev-admin-key', agent: 'dev-agent-key', viewer: 'dev-viewer-key' };
const endpoints = discoverEndpoints(CONTROLLERS);
const routeOf = (e: (typeof endpoints)[number]) => `${e.spec.method} ${e.path}`;

describe('the access policy of every route', () => {
  it('lists every route the gateway serves, with the roles the route declares, and nothing else', () => {
    const served = Object.fromEntries(endpoints.map((e) => [routeOf(e), e.spec.roles === PUBLIC ? PUBLIC : [...e.spec.roles].sort()]));
    const expected = Object.fromEntries(Object.entries(POLICY).map(([route, roles]) => [route, roles === PUBLIC ? PUBLIC : [...roles].sort()]));
    expect(served).toEqual(expected);
  });

  describe('enforced on the wire', () => {
    let h: GatewayHarness;
    beforeAll(async () => {
      h = await GatewayHarness.start({ RATE_LIMITS: 'off' });
    });
    afterAll(() => h.close());

    const cases = endpoints.filter((e) => e.spec.roles !== PUBLIC).flatMap((e) => (['admin', 'agent', 'viewer'] as const).map((role) => ({ route: routeOf(e), e, role })));
    it.each(cases)('$route as $role', async ({ e, role }) => {
      const path = e.path.replace(/:[A-Za-z]+/g, 'X-1');
      const res = await h.fetch(path, { method: e.spec.method, key: KEYS[role], json: e.spec.method === 'GET' || e.spec.method === 'DELETE' ? undefined : {} });
      await res.body?.cancel();
      const allowed = (e.spec.roles as readonly Role[]).includes(role);
      // An allowed call may still fail (400 for the empty body, 503 with no services running): never 401 or 403.
      if (allowed) expect([401, 403]).not.toContain(res.status);
      else expect(res.status).toBe(403);
    });

    it('answers 401 to every protected route without a key', async () => {
      for (const e of endpoints.filter((x) => x.spec.roles !== PUBLIC)) {
        const res = await h.fetch(e.path.replace(/:[A-Za-z]+/g, 'X-1'), { method: e.spec.method });
        expect([routeOf(e), res.status]).toEqual([routeOf(e), 401]);
      }
    });
  });
});
