import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PlannerRoutes } from '@orch/contracts';
import { waitFor } from '@orch/testing';
import { Allocator } from '../apps/agent-manager/src/resources/allocator';
import { AgentsSystem } from './agents-harness';

const json = (res: Response): Promise<any> => res.json();

/** A process that only waits: it holds its slot until it is stopped. */
const IDLE = '[node, -e, "setInterval(() => {}, 1000)"]';
/** Coders need 2 cpu, researchers 1, reviewers a GPU; two hosts: 4 + 2 = 6 cpu, no GPU. */
const agentsYaml = (s: string) =>
  s
    .replaceAll('command: [node, examples/agents/example-agent.mjs]', `command: ${IDLE}`)
    .replace('resources: { cpu: 2, memoryMb: 2048, gpu: 0 }', 'resources: { cpu: 2, memoryMb: 1024 }')
    .replace(/(\n  reviewer:[\s\S]*?)resources: \{[^}]*\}/, '$1resources: { cpu: 1, memoryMb: 1024, gpu: 1 }');
const RESOURCES = 'policy: priority\nhosts:\n  h1: { cpu: 4, memoryMb: 8192 }\n  h2: { cpu: 2, memoryMb: 8192 }\n';

/**
 * The resource pool through the gateway, with two agent-manager instances sharing the log: spawns
 * placed on hosts, refused with what is short when the pool is full, slots released when the
 * agent exits or is terminated, quotas per sprint, hosts added by API, no over-allocation under
 * concurrent spawns, bad input refused with nothing written.
 */
describe('resource pools', () => {
  let system: AgentsSystem;
  let dir: string;
  const lastSeq = () => system.store.lastSeq();
  const resources = async () => json(await system.http('/api/v1/resources', { key: 'dev-viewer-key' }));
  const spawn = (body: Record<string, unknown>, headers: Record<string, string> = {}) => system.http('/api/v1/agents/spawn', { json: body, headers });
  const running = new Set<string>();

  /** Terminates every agent spawned so far and waits until the pool is empty again. */
  const drain = async () => {
    for (const id of running) await system.http(`/api/v1/agents/${id}`, { method: 'DELETE' });
    running.clear();
    await waitFor('every slot to be released', async () => (await resources()).allocations.length === 0);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'orch-resources-'));
    writeFileSync(join(dir, 'resources.yaml'), RESOURCES);
    system = await AgentsSystem.start({ managers: 2, env: { RESOURCES_CONFIG: join(dir, 'resources.yaml'), AGENT_KILL_GRACE_MS: '1000' }, agentsYaml });
    for (const code of ['SPR-Q', 'SPR-R']) await system.call(PlannerRoutes.createSprint, { code, title: code });
  }, 60_000);

  afterAll(async () => {
    await system?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the configured hosts with nothing used', async () => {
    const view = await resources();
    expect(view).toMatchObject({ policy: 'priority', allocations: [], sprints: [], total: { capacity: { cpu: 6, memoryMb: 16384, gpu: 0 }, free: { cpu: 6, memoryMb: 16384, gpu: 0 } } });
    expect(view.hosts.map((h: any) => [h.id, h.source, h.free.cpu])).toEqual([['h1', 'config', 4], ['h2', 'config', 2]]);
  });

  it('places spawns until the pool is full, then refuses with what is short, writing nothing', async () => {
    const placed: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await spawn({ type: 'coder', name: `coder ${i}` });
      expect(res.status).toBe(201);
      const body = await json(res);
      running.add(body.agent.id);
      expect(body.placement).toMatchObject({ need: { cpu: 2, memoryMb: 1024, gpu: 0 } });
      placed.push(body.placement.hostId);
    }
    expect(placed.sort()).toEqual(['h1', 'h1', 'h2']);
    const before = await lastSeq();
    const refused = await spawn({ type: 'coder' });
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    const problem = await json(refused);
    expect(problem).toMatchObject({ code: 'RESOURCES.EXHAUSTED', detail: 'Cannot spawn: a coder needs 2 cpu, the best host (h1) has 0 free', missing: [{ kind: 'resource', name: 'cpu', hint: 'needs 2, the best host (h1) has 0 free' }] });
    expect(await lastSeq()).toBe(before);
    const view = await resources();
    expect(view.total.free.cpu).toBe(0);
    expect(view.allocations.map((a: any) => a.agentId).sort()).toEqual([...running].sort());
  }, 30_000);

  it('releases the slot when the agent process exits, so the next spawn fits', async () => {
    const [victim] = (await resources()).allocations;
    const spawned = (await system.agentEvents(victim.agentId)).find((e) => e.type === 'orchestration.agent.spawned')!;
    process.kill(spawned.data.pid as number, 'SIGTERM');
    running.delete(victim.agentId);
    await waitFor('the exit to release the slot', async () => !(await resources()).allocations.some((a: any) => a.agentId === victim.agentId));
    const next = await spawn({ type: 'coder', name: 'next' });
    expect(next.status).toBe(201);
    const body = await json(next);
    running.add(body.agent.id);
    expect(body.placement.hostId).toBe(victim.hostId);
  }, 30_000);

  it('releases the slot when the agent is terminated', async () => {
    const [held] = (await resources()).allocations;
    expect((await system.http(`/api/v1/agents/${held.agentId}`, { method: 'DELETE' })).status).toBe(200);
    running.delete(held.agentId);
    await waitFor('the termination to release the slot', async () => (await resources()).total.free.cpu === 2);
    await drain();
  }, 30_000);

  it('never over-allocates when spawns arrive at once on both instances', async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => spawn({ type: 'coder', name: `rush ${i}` })));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 201, 201, 409, 409, 409, 409, 409, 409, 409]);
    for (const r of answers) {
      const body = await json(r);
      if (r.status === 201) running.add(body.agent.id);
      else expect(body.code).toBe('RESOURCES.EXHAUSTED');
    }
    const view = await resources();
    for (const h of view.hosts) expect(h.used.cpu).toBeLessThanOrEqual(h.capacity.cpu);
    expect(view.allocations).toHaveLength(3);
    // Only the placed spawns registered an agent.
    const coders = (await json(await system.http('/api/v1/agents?type=coder'))).items.filter((a: any) => a.name.startsWith('rush'));
    expect(coders).toHaveLength(3);
    await drain();
  }, 60_000);

  it('answers a retried spawn (same Idempotency-Key) with the same agent, holding one slot', async () => {
    const first = await json(await spawn({ type: 'researcher' }, { 'idempotency-key': 'spawn-once-1' }));
    const again = await json(await spawn({ type: 'researcher' }, { 'idempotency-key': 'spawn-once-1' }));
    running.add(first.agent.id);
    expect(again.agent.id).toBe(first.agent.id);
    expect(again.pid).toBe(first.pid);
    expect(again.placement).toEqual(first.placement);
    expect((await resources()).allocations).toHaveLength(1);
    await drain();
  }, 30_000);

  it('holds each sprint to its quota and reports usage per sprint', async () => {
    const set = await system.http('/api/v1/resources/quotas', { method: 'PUT', json: { perSprint: { cpu: 2 }, sprints: { 'SPR-R': { cpu: 4 } } } });
    expect(set.status).toBe(200);
    expect(await json(set)).toEqual({ quotas: { perSprint: { cpu: 2 }, sprints: { 'SPR-R': { cpu: 4 } } }, warnings: [] });
    const q1 = await spawn({ type: 'coder', sprintCode: 'SPR-Q' });
    expect(q1.status).toBe(201);
    running.add((await json(q1)).agent.id);
    const before = await lastSeq();
    const q2 = await spawn({ type: 'researcher', sprintCode: 'SPR-Q' });
    expect(q2.status).toBe(409);
    expect(await json(q2)).toMatchObject({ code: 'RESOURCES.QUOTA_EXCEEDED', detail: 'Cannot spawn: sprint SPR-Q may hold 2 cpu at once (quota); it holds 2 cpu and a researcher needs 1 cpu' });
    expect(await lastSeq()).toBe(before);
    for (let i = 0; i < 2; i++) {
      const r = await spawn({ type: 'coder', sprintCode: 'SPR-R' });
      expect(r.status).toBe(201);
      running.add((await json(r)).agent.id);
    }
    const view = await resources();
    expect(view.sprints).toEqual([
      { sprintCode: 'SPR-Q', used: { cpu: 2, memoryMb: 1024, gpu: 0 }, quota: { cpu: 2 }, allocations: 1 },
      { sprintCode: 'SPR-R', used: { cpu: 4, memoryMb: 2048, gpu: 0 }, quota: { cpu: 4 }, allocations: 2 },
    ]);
    // Lowering a quota below what a sprint holds keeps its agents and says so.
    const lowered = await json(await system.http('/api/v1/resources/quotas', { method: 'PUT', json: { perSprint: null, sprints: { 'SPR-R': { cpu: 1 } } } }));
    expect(lowered.warnings).toEqual(['sprint SPR-R holds 4 cpu, over its quota of 1 cpu; its running agents keep their slots, new spawns are refused until it is under']);
    expect((await resources()).allocations).toHaveLength(3);
    await drain();
    expect((await system.http('/api/v1/resources/quotas', { method: 'PUT', json: { perSprint: null, sprints: {} } })).status).toBe(200);
  }, 60_000);

  it('places spawns that wait together in the policy order: the higher-priority type gets the last slot', async () => {
    const allocator = system.managers[0]!.app.get(Allocator);
    const meta = { actor: { kind: 'human' as const, id: 'tester' }, commandId: randomUUID(), issuedAt: new Date().toISOString(), correlationId: randomUUID() };
    const ask = (agentType: string, priority: number, cpu: number) =>
      allocator.reserve({ allocationId: `alc-${randomUUID()}`, agentType, priority, sprintCode: null, need: { cpu, memoryMb: 1024, gpu: 0 } }, meta).then((a) => ({ agentType, a }), (e) => ({ agentType, e }));
    // The first takes h1 alone; the next two arrive while it is being written and wait together for h2's 2 cpu.
    const outcomes = await Promise.all([ask('blocker', 1, 4), ask('researcher', 10, 2), ask('coder', 90, 2)]);
    expect(outcomes.map((o) => [o.agentType, 'a' in o ? o.a.hostId : (o.e as { code: string }).code])).toEqual([['blocker', 'h1'], ['researcher', 'RESOURCES.EXHAUSTED'], ['coder', 'h2']]);
    for (const o of outcomes) if ('a' in o) await allocator.release(o.a.allocationId, 'test over');
    expect((await resources()).allocations).toEqual([]);
  });

  it('adds a host by API; a GPU spawn that could never fit fits after it', async () => {
    const never = await spawn({ type: 'reviewer' });
    expect(never.status).toBe(422);
    expect(await json(never)).toMatchObject({ code: 'RESOURCES.NEVER_FITS', missing: [{ kind: 'resource', name: 'gpu' }] });
    const added = await system.http('/api/v1/resources/hosts', { json: { id: 'gpu-1', cpu: 8, memoryMb: 16384, gpu: 1 } });
    expect(added.status).toBe(201);
    // What a request writes carries its correlation id (the bad-input cases below rely on it).
    expect((await system.store.readCommit(Number(added.headers.get('x-orch-seq'))))?.events[0]?.correlationId).toBe(added.headers.get('x-correlation-id'));
    expect(await json(added)).toEqual({ id: 'gpu-1', source: 'api', capacity: { cpu: 8, memoryMb: 16384, gpu: 1 }, used: { cpu: 0, memoryMb: 0, gpu: 0 }, free: { cpu: 8, memoryMb: 16384, gpu: 1 }, allocations: 0 });
    expect((await system.http('/api/v1/resources/hosts', { json: { id: 'gpu-1', cpu: 8, memoryMb: 16384, gpu: 1 } })).status).toBe(201);
    expect(await json(await system.http('/api/v1/resources/hosts', { json: { id: 'gpu-1', cpu: 2, memoryMb: 16384, gpu: 1 } }))).toMatchObject({ status: 409, code: 'RESOURCES.HOST_EXISTS' });
    expect(await json(await system.http('/api/v1/resources/hosts', { json: { id: 'h1', cpu: 2, memoryMb: 1024 } }))).toMatchObject({ status: 409, code: 'RESOURCES.HOST_EXISTS' });
    const placed = await spawn({ type: 'reviewer' });
    expect(placed.status).toBe(201);
    const body = await json(placed);
    running.add(body.agent.id);
    expect(body.placement.hostId).toBe('gpu-1');
    // A second GPU spawn waits for the first: 409, not 422.
    expect(await json(await spawn({ type: 'reviewer' }))).toMatchObject({ status: 409, code: 'RESOURCES.EXHAUSTED', detail: 'Cannot spawn: a reviewer needs 1 gpu, the best host (gpu-1) has 0 free' });
    await drain();
  }, 30_000);

  const bad: Array<[string, string, { method?: string; json?: unknown; body?: string; headers?: Record<string, string>; key?: string }, number, string | null]> = [
    ['malformed JSON for a host', '/api/v1/resources/hosts', { body: '{"id": "x",', headers: { 'content-type': 'application/json' } }, 400, null],
    ['a negative cpu count', '/api/v1/resources/hosts', { json: { id: 'neg', cpu: -1, memoryMb: 10 } }, 400, 'body.cpu'],
    ['a fractional cpu count', '/api/v1/resources/hosts', { json: { id: 'half', cpu: 1.5, memoryMb: 10 } }, 400, 'body.cpu'],
    ['memory given as text', '/api/v1/resources/hosts', { json: { id: 'txt', cpu: 1, memoryMb: 'lots' } }, 400, 'body.memoryMb'],
    ['a host name with a dot', '/api/v1/resources/hosts', { json: { id: 'host.one', cpu: 1, memoryMb: 10 } }, 400, 'body.id'],
    ['a hostile host name', '/api/v1/resources/hosts', { json: { id: "'; DROP TABLE x; --", cpu: 1, memoryMb: 10 } }, 400, 'body.id'],
    ['an unknown host field', '/api/v1/resources/hosts', { json: { id: 'x1', cpu: 1, memoryMb: 10, disk: 5 } }, 400, null],
    ['a host added by an agent', '/api/v1/resources/hosts', { json: { id: 'x2', cpu: 1, memoryMb: 10 }, key: 'dev-agent-key' }, 403, null],
    ['a negative quota', '/api/v1/resources/quotas', { method: 'PUT', json: { perSprint: { gpu: -1 } } }, 400, 'body.perSprint.gpu'],
    ['a quota keyed by a bad sprint code', '/api/v1/resources/quotas', { method: 'PUT', json: { sprints: { 'not-a-sprint': { cpu: 1 } } } }, 400, null],
    ['a quota of an unknown sprint', '/api/v1/resources/quotas', { method: 'PUT', json: { sprints: { 'SPR-NOPE': { cpu: 1 } } } }, 404, null],
    ['an empty quota body', '/api/v1/resources/quotas', { method: 'PUT', json: {} }, 400, 'body.perSprint'],
    ['quotas set by a viewer', '/api/v1/resources/quotas', { method: 'PUT', json: { perSprint: null }, key: 'dev-viewer-key' }, 403, null],
    ['a spawn with a bad sprint code', '/api/v1/agents/spawn', { json: { type: 'coder', sprintCode: 'sprint 1' } }, 400, 'body.sprintCode'],
    ['a spawn in an unknown sprint', '/api/v1/agents/spawn', { json: { type: 'coder', sprintCode: 'SPR-NOPE' } }, 404, null],
  ];
  it.each(bad)('refuses %s with a problem document, writing nothing', async (_name, path, init, status, field) => {
    const before = await lastSeq();
    const res = await system.http(path, init);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const problem = await json(res);
    expect(problem.code).toEqual(expect.any(String));
    if (field) expect(problem.errors.map((e: { path: string }) => e.path)).toContain(field);
    // Agents of earlier tests may still be exiting meanwhile: nothing in the log may come from this request.
    const correlationId = res.headers.get('x-correlation-id');
    expect(correlationId).toBeTruthy();
    for (let seq = before + 1; seq <= (await lastSeq()); seq++) expect((await system.store.readCommit(seq))?.events.map((e) => e.correlationId)).not.toContain(correlationId);
  });

  it('documents the resources routes in OpenAPI', async () => {
    const doc = await json(await system.http('/openapi.json', { key: null }));
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/api/v1/resources')).sort()).toEqual(['/api/v1/resources', '/api/v1/resources/hosts', '/api/v1/resources/quotas']);
    expect(doc.paths['/api/v1/agents/spawn'].post.requestBody.content['application/json'].schema).toBeDefined();
  });
});
