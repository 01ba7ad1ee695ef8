import { AgentsSystem } from './agents-harness';

const json = (res: Response): Promise<any> => res.json();

/** Every agents route over real HTTP: good input, bad input (clear errors naming the field, nothing written) and who may call it. */
describe('the /agents routes', () => {
  let system: AgentsSystem;
  let agent: { id: string };
  let agentKey: string;
  const lastSeq = () => system.store.lastSeq();

  beforeAll(async () => {
    // The reviewer type without its spawn command, for the case of a type that cannot be spawned.
    system = await AgentsSystem.start({ agentsYaml: (yaml) => yaml.replace(/(\n  reviewer:[\s\S]*?)\n    command: \[[^\]]*\]/, '$1') });
    const res = await system.http('/api/v1/agents', { json: { name: 'http agent', type: 'reviewer' } });
    const body = await json(res);
    agent = body.agent;
    agentKey = body.apiKey;
  }, 60_000);

  afterAll(async () => system?.stop());

  it('registers, gets, lists, matches, heartbeats and polls', async () => {
    const hostile = `'; DROP TABLE orchestration_agents; -- <script>alert(1)</script>`;
    const created = await system.http('/api/v1/agents', { json: { name: hostile, type: 'coder', capabilities: ['code_generation', 'rust_wizardry'], priority: 99 } });
    expect(created.status).toBe(201);
    const reg = await json(created);
    expect(reg.agent).toMatchObject({ name: hostile, priority: 99, unknownCapabilities: ['rust_wizardry'] });
    expect(reg.apiKey).toMatch(/^agt_coder-/);
    expect((await json(await system.http(`/api/v1/agents/${reg.agent.id}`))).name).toBe(hostile);
    expect((await json(await system.http('/api/v1/agents?type=coder', { headers: { 'x-orch-min-seq': created.headers.get('x-orch-seq')! } }))).items.map((a: { id: string }) => a.id)).toEqual([reg.agent.id]);
    const match = await json(await system.http('/api/v1/agents/match', { json: { capabilities: ['code_review'] }, key: 'dev-viewer-key' }));
    expect(match.matches.map((a: { id: string }) => a.id)).toEqual([agent.id]);
    expect(match.rejected).toEqual([{ id: reg.agent.id, name: hostile, reasons: ['lacks capabilities: code_review'] }]);
    const beat = await system.http(`/api/v1/agents/${agent.id}/heartbeat`, { key: agentKey, json: { load: 1, progress: 'reviewing' } });
    expect(beat.status).toBe(200);
    expect(await json(beat)).toMatchObject({ id: agent.id, status: 'IDLE' });
    expect(await json(await system.http(`/api/v1/agents/${agent.id}`, { key: agentKey }))).toMatchObject({ progress: 'reviewing', load: 1 });
    const poll = await system.http(`/api/v1/agents/${agent.id}/assignments?wait=1`, { key: agentKey });
    expect(poll.status).toBe(200);
    expect(await json(poll)).toEqual({ items: [] });
  });

  const bad: Array<[string, string, { method?: string; json?: unknown; body?: string; headers?: Record<string, string> }, number, string | null]> = [
    ['malformed JSON', '/api/v1/agents', { body: '{"name": "x", ', headers: { 'content-type': 'application/json' } }, 400, null],
    ['a wrong type', '/api/v1/agents', { json: { name: 'x', type: 'coder', maxLoad: 'many' } }, 400, 'body.maxLoad'],
    ['an unknown field', '/api/v1/agents', { json: { name: 'x', type: 'coder', admin: true } }, 400, null],
    ['an oversized name', '/api/v1/agents', { json: { name: 'n'.repeat(5_000), type: 'coder' } }, 400, 'body.name'],
    ['a bad capability', '/api/v1/agents', { json: { name: 'x', type: 'coder', capabilities: ['DROP TABLE'] } }, 400, 'body.capabilities.0'],
    ['a bad permission', '/api/v1/agents', { json: { name: 'x', type: 'coder', permission: 'root' } }, 400, 'body.permission'],
    ['an unknown type', '/api/v1/agents', { json: { name: 'x', type: 'wizard' } }, 422, null],
    ['spawning a type with no command', '/api/v1/agents/spawn', { json: { type: 'reviewer' } }, 422, null],
    ['spawning an unknown type', '/api/v1/agents/spawn', { json: { type: 'wizard' } }, 422, null],
    ['spawning with a bad type name', '/api/v1/agents/spawn', { json: { type: '../../bin/sh' } }, 400, 'body.type'],
    ['an unknown status filter', '/api/v1/agents?status=ASLEEP', {}, 400, 'query.status'],
    ['a zero limit', '/api/v1/agents?limit=0', {}, 400, 'query.limit'],
    ['an id with a dot', '/api/v1/agents/bad.id', {}, 400, 'params.id'],
    ['an unknown agent', '/api/v1/agents/nobody-1', {}, 404, null],
    ['terminating an unknown agent', '/api/v1/agents/nobody-1', { method: 'DELETE' }, 404, null],
    ['a negative load', '/api/v1/agents/AGENT/heartbeat', { json: { load: -1 } }, 400, 'body.load'],
    ['a heartbeat of an unknown agent', '/api/v1/agents/nobody-1/heartbeat', { json: {} }, 404, null],
    ['capabilities that are not a list', '/api/v1/agents/match', { json: { capabilities: 'testing' } }, 400, 'body.capabilities'],
    ['a match without capabilities', '/api/v1/agents/match', { json: {} }, 400, 'body.capabilities'],
    ['a wait over 30 s', '/api/v1/agents/AGENT/assignments?wait=31', {}, 400, 'query.wait'],
    ['a wait that is not a number', '/api/v1/agents/AGENT/assignments?wait=soon', {}, 400, 'query.wait'],
    ['polling for an unknown agent', '/api/v1/agents/nobody-1/assignments', {}, 404, null],
  ];
  it.each(bad)('refuses %s with a problem document, writing nothing', async (_name, path, init, status, field) => {
    const before = await lastSeq();
    const res = await system.http(path.replace('AGENT', agent.id), init);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const problem = await json(res);
    expect(problem.code).toEqual(expect.any(String));
    if (field) expect(problem.errors.map((e: { path: string }) => e.path)).toContain(field);
    expect(await lastSeq()).toBe(before);
  });

  it('checks who is calling', async () => {
    expect((await system.http('/api/v1/agents', { key: null })).status).toBe(401);
    expect((await system.http('/api/v1/agents', { key: 'agt_reviewer-x.forged' })).status).toBe(401);
    expect((await system.http('/api/v1/agents', { key: 'dev-viewer-key', json: { name: 'x', type: 'coder' } })).status).toBe(403);
    expect((await system.http('/api/v1/agents/spawn', { key: 'dev-agent-key', json: { type: 'coder' } })).status).toBe(403);
    const other = await json(await system.http('/api/v1/agents', { json: { name: 'other', type: 'coder' } }));
    const forbidden = await system.http(`/api/v1/agents/${other.agent.id}/heartbeat`, { key: agentKey, json: {} });
    expect(forbidden.status).toBe(403);
    expect((await json(forbidden)).code).toBe('AUTH.NOT_YOUR_AGENT');
    expect((await system.http(`/api/v1/agents/${other.agent.id}/heartbeat`, { key: other.apiKey, json: {} })).status).toBe(200);
    expect((await system.http(`/api/v1/agents/${other.agent.id}/heartbeat`, { key: 'dev-agent-key', json: {} })).status).toBe(200);
  });

  it('documents every agents route in OpenAPI', async () => {
    const doc = await json(await system.http('/openapi.json', { key: null }));
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/api/v1/agents')).sort()).toEqual([
      '/api/v1/agents', '/api/v1/agents/match', '/api/v1/agents/spawn', '/api/v1/agents/{id}', '/api/v1/agents/{id}/assignments', '/api/v1/agents/{id}/heartbeat',
    ]);
  });
});
