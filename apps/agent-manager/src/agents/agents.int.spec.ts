import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { AgentRoutes, verifyAgentApiKey, DEV_AGENT_KEY_SECRET, type RpcMeta, type RpcRoute } from '@orch/contracts';
import { RpcClient } from '@orch/messaging';
import { PgApplier, type BatchItem } from '@orch/projections';
import { startService, type RunningService } from '@orch/service-kit';
import { isolatedEnv, waitFor, type IsolatedEnv } from '@orch/testing';
import { agentManagerSpec } from '../app.module';
import { agentProjection } from '../read-model/agent.projection';

/**
 * The registry and liveness against real NATS, Postgres and Redis, with two agent-manager
 * instances sharing one log (timeouts shortened: stale after 400 ms, lost after 900 ms).
 */
describe('agent registry and liveness (two instances, real NATS, Postgres, Redis)', () => {
  let iso: IsolatedEnv;
  let a: RunningService;
  let b: RunningService;
  let rpc: RpcClient;
  let pg: Client;

  const meta = (): RpcMeta => ({ actor: { kind: 'human', id: 'op' }, commandId: randomUUID(), issuedAt: new Date().toISOString() });
  const call = async (route: RpcRoute, payload: unknown) => (await rpc.call(route, payload as never, { meta: meta(), correlationId: randomUUID() })) as { value: any; seq?: number };
  const register = async (body: object) => (await call(AgentRoutes.registerAgent, body)).value;
  const agentEvents = async (id: string) => {
    const commits = await a.infra.store.readSubject(a.infra.subjects.aggregate('agent', id));
    return commits.flatMap((c) => c.events.map((e) => e.type.replace('orchestration.agent.', '')));
  };
  const lastSeq = () => a.infra.store.lastSeq();

  beforeAll(async () => {
    // Short enough to watch an agent go STALE and LOST, long enough that a loaded machine's pauses
    // between a heartbeat and the next assertion do not lose it by accident.
    iso = isolatedEnv({ AGENT_STALE_AFTER_MS: '2000', AGENT_LOST_AFTER_MS: '4000', AGENT_SWEEP_MS: '50' });
    a = await startService(agentManagerSpec(iso.env), iso.env);
    b = await startService(agentManagerSpec(iso.env), iso.env);
    rpc = new RpcClient(a.infra.nc, a.infra.subjects);
    pg = new Client({ connectionString: iso.env.DATABASE_URL });
    await pg.connect();
    await pg.query(`SET search_path TO "${iso.env.DB_SCHEMA}"`);
  }, 30_000);

  afterAll(async () => {
    await pg?.end();
    await b?.close();
    await a?.close();
    await iso?.cleanup();
  });

  it('registers an agent with its type defaults and its own API key, and reports unknown capabilities', async () => {
    const reply = await register({ name: 'Rita', type: 'reviewer', capabilities: ['code_review', 'kubernetes_ops'] });
    expect(reply.agent).toMatchObject({ name: 'Rita', type: 'reviewer', status: 'IDLE', load: 0, maxLoad: 2, priority: 55, permission: 'full', costPerHour: 5, capabilities: ['code_review', 'kubernetes_ops'], unknownCapabilities: ['kubernetes_ops'] });
    expect(reply.agent.id).toMatch(/^reviewer-[0-9a-f]{12}$/);
    expect(verifyAgentApiKey(reply.apiKey, DEV_AGENT_KEY_SECRET)).toBe(reply.agent.id);
    expect(verifyAgentApiKey(reply.apiKey.slice(0, -2) + 'xx', DEV_AGENT_KEY_SECRET)).toBeNull();
    expect(reply.warnings).toEqual([expect.stringContaining('kubernetes_ops is not in the catalogue')]);
    const got = (await call(AgentRoutes.getAgent, { id: reply.agent.id })).value;
    expect(got).toMatchObject({ id: reply.agent.id, status: 'IDLE', lastHeartbeatAt: expect.any(String) });
  });

  it('refuses bad registrations by naming the field, and writes nothing', async () => {
    const before = await lastSeq();
    await expect(register({ name: 'X', type: 'wizard' })).rejects.toMatchObject({ code: 'AGENT.UNKNOWN_TYPE', status: 422 });
    await expect(register({ name: '', type: 'coder' })).rejects.toMatchObject({ status: 400, errors: [expect.objectContaining({ path: 'name' })] });
    await expect(register({ name: 'X', type: 'coder', capabilities: ['Not A Word'] })).rejects.toMatchObject({ status: 400, errors: [expect.objectContaining({ path: 'capabilities.0' })] });
    await expect(register({ name: 'X', type: 'coder', maxLoad: -1 })).rejects.toMatchObject({ status: 400, errors: [expect.objectContaining({ path: 'maxLoad' })] });
    await expect(register({ name: 'X', type: 'coder', isAdmin: true })).rejects.toMatchObject({ status: 400 });
    await expect(register({ name: 'x'.repeat(101), type: 'coder' })).rejects.toMatchObject({ status: 400 });
    await expect(call(AgentRoutes.getAgent, { id: 'nobody-here' })).rejects.toMatchObject({ code: 'AGENT.NOT_FOUND', status: 404 });
    await expect(call(AgentRoutes.getAgent, { id: '../etc/passwd' })).rejects.toMatchObject({ status: 400 });
    await expect(call(AgentRoutes.heartbeat, { id: 'nobody-here', beat: {} })).rejects.toMatchObject({ code: 'AGENT.NOT_FOUND' });
    await expect(call(AgentRoutes.heartbeat, { id: 'nobody-here', beat: { load: 'lots' } })).rejects.toMatchObject({ status: 400 });
    expect(await lastSeq()).toBe(before);
  });

  it('keeps heartbeats out of the log', async () => {
    const { agent } = await register({ name: 'Beat', type: 'coder' });
    const before = await lastSeq();
    for (let i = 0; i < 20; i++) expect((await call(AgentRoutes.heartbeat, { id: agent.id, beat: { load: 0, progress: `step ${i}` } })).value).toMatchObject({ id: agent.id, status: 'IDLE' });
    expect(await lastSeq()).toBe(before);
  });

  it('goes STALE, then LOST, when silent, each exactly once although two instances sweep, and recovers on a heartbeat', async () => {
    const { agent } = await register({ name: 'Silent', type: 'coder' });
    await waitFor('the agent to be lost', async () => (await agentEvents(agent.id)).includes('lost'), { timeoutMs: 10_000 });
    expect(await agentEvents(agent.id)).toEqual(['registered', 'stale', 'lost']);
    const lost = (await a.infra.store.readSubject(a.infra.subjects.aggregate('agent', agent.id))).flatMap((c) => c.events).find((e) => e.type === 'orchestration.agent.lost');
    expect(lost?.data).toEqual({ agentId: agent.id, name: 'Silent', type: 'coder', taskCodes: [] });
    expect((await call(AgentRoutes.heartbeat, { id: agent.id, beat: {} })).value.status).toBe('IDLE');
    // The answer comes from Redis at once; the recovery event is appended just after it.
    await waitFor('the recovery to be in the log', async () => (await agentEvents(agent.id)).includes('recovered'), { timeoutMs: 10_000 });
    // Silent again after that one heartbeat, it may go stale anew (timeouts are short here): the
    // story up to the recovery is what must be exact.
    const history = await agentEvents(agent.id);
    expect(history.slice(0, history.indexOf('recovered') + 1)).toEqual(['registered', 'stale', 'lost', 'recovered']);
  });

  it('stays alive while it heartbeats', async () => {
    const { agent } = await register({ name: 'Alive', type: 'coder' });
    const until = Date.now() + 1_500;
    while (Date.now() < until) {
      await call(AgentRoutes.heartbeat, { id: agent.id, beat: { load: 0 } });
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await agentEvents(agent.id)).toEqual(['registered']);
  });

  it('terminates: no more heartbeats, and a second terminate changes nothing', async () => {
    const { agent } = await register({ name: 'Done', type: 'planner' });
    expect((await call(AgentRoutes.terminateAgent, { id: agent.id, reason: 'finished' })).value.status).toBe('TERMINATED');
    await call(AgentRoutes.terminateAgent, { id: agent.id });
    expect(await agentEvents(agent.id)).toEqual(['registered', 'terminated']);
    await expect(call(AgentRoutes.heartbeat, { id: agent.id, beat: {} })).rejects.toMatchObject({ code: 'AGENT.TERMINATED', status: 409 });
  });

  it('matches by type, status, capacity and capabilities, and says why each other agent was rejected', async () => {
    const { agent: r } = await register({ name: 'Res', type: 'researcher' });
    const rita = (await call(AgentRoutes.listAgents, { type: 'reviewer' })).value.items[0];
    await call(AgentRoutes.heartbeat, { id: rita.id, beat: {} });
    // Rita may have gone silent long enough to be LOST; her heartbeat recovers her, in the read model too.
    await waitFor('the read model', async () => (await call(AgentRoutes.listAgents, { type: 'researcher' })).value.items.length > 0 && (await call(AgentRoutes.getAgent, { id: rita.id })).value.status === 'IDLE');
    const reply = (await call(AgentRoutes.matchAgents, { capabilities: ['web_research'] })).value;
    expect(reply.matches.map((m: { id: string }) => m.id)).toEqual([r.id]);
    expect(reply.rejected.find((x: { name: string }) => x.name === 'Done').reasons).toEqual(['status is TERMINATED', 'lacks capabilities: web_research']);
    expect(reply.rejected.find((x: { name: string }) => x.name === 'Rita').reasons).toEqual(['lacks capabilities: web_research']);
  });

  it('lists by status and type', async () => {
    const terminated = (await call(AgentRoutes.listAgents, { status: 'TERMINATED' })).value.items;
    expect(terminated.map((x: { name: string }) => x.name)).toEqual(['Done']);
    await expect(call(AgentRoutes.listAgents, { status: 'ASLEEP' })).rejects.toMatchObject({ status: 400 });
  });

  describe('the orchestration_agents read model', () => {
    const snapshot = async () => (await pg.query('SELECT agent_id, name, type, status, load, max_load, capabilities, task_codes, version FROM orchestration_agents ORDER BY agent_id')).rows;

    beforeAll(async () => {
      // Silent agents keep moving (stale, lost); terminated ones do not, so the log is quiet from here.
      for (const agent of (await call(AgentRoutes.listAgents, {})).value.items) await call(AgentRoutes.terminateAgent, { id: agent.id });
      await a.projections.get('agents')?.catchUp(10_000);
      await b.projections.get('agents')?.catchUp(10_000);
    });

    it("answers an operator's SQL", async () => {
      const { rows } = await pg.query(`SELECT name, status, max_load FROM orchestration_agents WHERE type = 'coder' ORDER BY registered_at`);
      expect(rows).toEqual(['Beat', 'Silent', 'Alive'].map((name) => ({ name, status: 'TERMINATED', max_load: 1 })));
    });

    it('is unchanged when every commit is delivered a second time', async () => {
      const once = await snapshot();
      const last = await lastSeq();
      const items: BatchItem[] = [];
      for (let seq = 1; seq <= last; seq++) items.push({ seq, commit: await a.infra.store.readCommit(seq) });
      await new PgApplier(a.infra.dataSource!, agentProjection).applyBatch(items);
      expect(await snapshot()).toEqual(once);
    });

    it('rebuilt from sequence 1 equals the live one', async () => {
      const live = await snapshot();
      const runner = [a, b].map((s) => s.projections.get('agents')!).find((r) => r.status().active)!;
      await runner.rebuild();
      await runner.catchUp(10_000);
      expect(await snapshot()).toEqual(live);
    });
  });
});
