import fc from 'fast-check';
import { SystemUnderTest } from '@orch/testing';

/**
 * SPEC §9, bad input anywhere: thousands of random, malformed requests across every route the
 * gateway documents. Each is invalid by construction (broken JSON, a body of the wrong shape,
 * an unknown field or parameter, a hostile id), so every answer must be a 4xx problem document,
 * no process may die, and the log must not move.
 */
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 10_000);
const KEYS = ['dev-admin-key', 'dev-agent-key', 'dev-viewer-key'];

interface Route {
  method: string;
  path: string;
  hasBody: boolean;
}

const hostile = fc.constantFrom(
  "'; DROP TABLE orchestration_tasks; --",
  '../../etc/passwd',
  '%00',
  '\u202e\u0000\u0007',
  '{{7*7}}',
  '<script>alert(1)</script>',
  'a'.repeat(5000),
  '🙂'.repeat(300),
  'NaN',
  '-1',
  '1e309',
);

/** A body that no route accepts: not JSON, not an object, or an object with a field no schema has. */
const badBody = fc.oneof(
  fc.constantFrom('{', '{"a":', 'null', '[]', '"text"', '42', 'true', '{"__proto__": {"x": 1}, "constructor": 1}'),
  fc.string({ maxLength: 200 }).map((s) => `{${s}`),
  fc.record({ fuzzUnknownField: fc.oneof(fc.string(), fc.integer(), fc.constant(null)) }).chain((extra) =>
    fc.dictionary(fc.constantFrom('title', 'code', 'status', 'message', 'url', 'name', 'taskCode', 'goal', 'template', 'capabilities', 'text'), fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.array(fc.integer()), hostile)).map((d) => JSON.stringify({ ...d, ...extra })),
  ),
);

describe('random malformed requests across every route', () => {
  let system: SystemUnderTest;
  let routes: Route[];
  const lastSeq = () => system.lastSeq();

  beforeAll(async () => {
    system = await SystemUnderTest.start({ env: { RATE_LIMITS: 'off' } });
    const doc = (await (await system.fetch('/openapi.json', { key: null })).json()) as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
    routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        .map(([method, op]) => ({ method: method.toUpperCase(), path, hasBody: Boolean(op.requestBody) })),
    );
  }, 90_000);

  afterAll(async () => {
    await system?.stop();
  });

  it(`answers ${REQUESTS} of them with 4xx problems, writes nothing, and stays up`, async () => {
    expect(routes.length).toBeGreaterThan(10);
    const before = await lastSeq();
    const request = fc.record({
      route: fc.constantFrom(...routes),
      key: fc.constantFrom(...KEYS),
      param: fc.oneof(hostile, fc.string({ minLength: 1, maxLength: 40 })),
      body: badBody,
      // Half the reads go without the unknown parameter, so that services see the odd ids too.
      junkQuery: fc.option(fc.string({ maxLength: 30 }), { nil: undefined }),
      header: fc.option(fc.tuple(fc.constantFrom('x-orch-min-seq', 'if-match', 'idempotency-key', 'x-correlation-id', 'last-event-id'), fc.oneof(hostile, fc.string({ maxLength: 50 }))), { nil: undefined }),
    });
    const samples = fc.sample(request, { numRuns: REQUESTS, seed: Number(process.env.FUZZ_SEED ?? 20261124) });
    const bad: string[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let i = next++; i < samples.length; i = next++) {
          const { route, key, param, body, junkQuery, header } = samples[i]!;
          // Every path parameter gets the odd value; an unknown query parameter makes even a GET invalid.
          const writes = route.method !== 'GET';
          const query = writes || junkQuery !== undefined || route.path.endsWith('/stream') ? `?fuzzUnknown=${encodeURIComponent(junkQuery ?? '')}` : '';
          const path = route.path.replace(/\{[^}]+\}/g, encodeURIComponent(param)) + query;
          const headers: Record<string, string> = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
          if (header) headers[header[0]] = header[1].replace(/[\r\n\0]/g, '').replace(/[^\x20-\x7e]/g, '?');
          const init: RequestInit = { method: route.method, headers };
          if (route.method !== 'GET' && route.method !== 'DELETE') init.body = route.hasBody ? body : '{"fuzzUnknownField":1}';
          const res = await fetch(system.url + path, init);
          const text = await res.text();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const problem = res.status >= 400 && res.status < 500 && /^application\/problem\+json/.test(res.headers.get('content-type') ?? '');
          // A read may succeed (an odd id can still be a valid one); only a 5xx or a non-problem error fails.
          const harmlessRead = res.status === 200 && route.method === 'GET';
          if (!problem && !harmlessRead) bad.push(`${route.method} ${path.slice(0, 120)} → ${res.status} ${text.slice(0, 200)}`);
        }
      }),
    );
    expect(bad.slice(0, 20)).toEqual([]);
    expect(await lastSeq()).toBe(before);
    expect((await system.fetch('/ready', { key: null })).status).toBe(200);
    process.stdout.write(`fuzz: ${samples.length} requests over ${routes.length} routes; statuses ${JSON.stringify(Object.fromEntries(statuses))}\n`);
  }, 300_000);
});
