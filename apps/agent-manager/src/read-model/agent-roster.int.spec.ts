import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { AgentRoutes, type RpcMeta } from '@orch/contracts';
import { RpcClient } from '@orch/messaging';
import { startService, type RunningService } from '@orch/service-kit';
import { isolatedEnv, waitFor, type IsolatedEnv } from '@orch/testing';
import { AgentRegistry } from '../agents/registry';
import { agentManagerSpec } from '../app.module';
import { AgentRoster } from './agent-roster';

/**
 * The in-memory roster the assigner picks agents from, against real NATS and Postgres: it follows
 * the log, a new instance starts from the read model and catches up, and an agent whose row is
 * behind the tail is read again from the log instead of being folded wrongly.
 */
describe('agent roster (real NATS, Postgres)', () => {
  let iso: IsolatedEnv;
  let a: RunningService;
  let rpc: RpcClient;
  let pg: Client;
  const started: RunningService[] = [];

  const meta = (): RpcMeta => ({ actor: { kind: 'human', id: 'op' }, commandId: randomUUID(), issuedAt: new Date().toISOString() });
  const register = async (name: string, maxLoad = 1): Promise<string> =>
    ((await rpc.call(AgentRoutes.registerAgent, { name, type: 'coder', maxLoad } as never, { meta: meta(), correlationId: randomUUID() })) as { value: { agent: { id: string } } }).value.agent.id;
  const registry = (s: RunningService) => s.app.get(AgentRegistry);
  const roster = (s: RunningService) => s.app.get(AgentRoster);
  const available = async (s: RunningService) => new Map((await roster(s).available()).map((v) => [v.id, v]));
  const assign = (s: RunningService, id: string, taskCode: string) =>
    registry(s).execute({ type: 'AssignTask', id, task: { taskCode, sprintCode: null, title: taskCode, cost: 0, resumed: false } });
  const projected = async (id: string, version: number) =>
    (await pg.query('SELECT version FROM orchestration_agents WHERE agent_id = $1', [id])).rows[0]?.version >= version;
  const startAnother = async () => {
    const s = await startService(agentManagerSpec(iso.env), iso.env);
    started.push(s);
    return s;
  };

  beforeAll(async () => {
    // No automatic assignment: the test drives every agent event itself.
    iso = isolatedEnv({ AGENT_AUTO_ASSIGN: 'off' });
    a = await startAnother();
    rpc = new RpcClient(a.infra.nc, a.infra.subjects);
    pg = new Client({ connectionString: iso.env.DATABASE_URL });
    await pg.connect();
    await pg.query(`SET search_path TO "${iso.env.DB_SCHEMA}"`);
  }, 30_000);

  afterAll(async () => {
    await pg?.end();
    for (const s of started.reverse()) await s.close();
    await iso?.cleanup();
  });

  it('follows the log: a new agent is offered, a full or terminated one is not', async () => {
    const idle = await register('Ida');
    const busy = await register('Bo');
    const gone = await register('Gus');
    await waitFor('the three agents on the roster', async () => {
      const now = await available(a);
      return [idle, busy, gone].every((id) => now.has(id));
    });
    await assign(a, busy, 'TSK-R1'); // maxLoad 1: full now
    await registry(a).execute({ type: 'Terminate', id: gone, reason: 'test' });
    await waitFor('the full and the terminated agent to leave the roster', async () => {
      const now = await available(a);
      return now.has(idle) && !now.has(busy) && !now.has(gone);
    });
    expect((await available(a)).get(idle)).toMatchObject({ status: 'IDLE', load: 0, maxLoad: 1, type: 'coder' });
  });

  it('an instance started later begins from the read model and then follows the tail', async () => {
    const early = await register('Early', 2);
    const { version } = (await assign(a, early, 'TSK-R2')).state!;
    await waitFor('the assignment in the read model', () => projected(early, version));
    const b = await startAnother();
    expect((await available(b)).get(early)).toMatchObject({ load: 1, taskCodes: ['TSK-R2'], version });

    await assign(a, early, 'TSK-R3'); // now full: written by the other instance, seen through the tail
    await waitFor('the other instance to see the agent full', async () => !(await available(b)).has(early));
    await registry(a).execute({ type: 'ReleaseTask', id: early, taskCode: 'TSK-R2', reason: 'done' });
    await waitFor('the release seen by the later instance', async () => (await available(b)).get(early)?.taskCodes.join() === 'TSK-R3');
    expect(await roster(b).holdersOf('TSK-R2')).toEqual([]);
    expect(await roster(b).holdersOf('TSK-R3')).toEqual([early]);
  });

  it('reads an agent again from the log when its row is behind the events that follow', async () => {
    const lagging = await register('Lag', 3);
    const first = (await assign(a, lagging, 'TSK-R4')).state!;
    await waitFor('the assignment in the read model', () => projected(lagging, first.version));
    // The row says version 1 (registered only) while the checkpoint says it holds everything: the
    // next event (version 3) does not follow the row's version, so folding it would lose TSK-R4.
    await pg.query(`UPDATE orchestration_agents SET version = 1, task_codes = '{}', load = 0, status = 'IDLE' WHERE agent_id = $1`, [lagging]);
    const c = await startAnother();
    await assign(a, lagging, 'TSK-R5');
    await waitFor('the agent read again from the log', async () => (await available(c)).get(lagging)?.taskCodes.length === 2);
    expect((await available(c)).get(lagging)).toMatchObject({ load: 2, taskCodes: ['TSK-R4', 'TSK-R5'], version: first.version + 1 });
  });

  it('follows the log again when its tail ends', async () => {
    // The ordered consumer ending is not something a test can provoke from outside; closing it is.
    await (roster(a) as unknown as { messages: { close(): Promise<unknown> } }).messages.close();
    const later = await register('Later');
    await waitFor('the agent registered after the tail ended', async () => (await available(a)).has(later), { timeoutMs: 15_000 });
  });

  it('skips garbage on the stream without stopping', async () => {
    const before = await register('Before');
    await a.infra.nc.publish(a.infra.subjects.aggregate('agent', 'garbage-1'), 'not a commit');
    await a.infra.js.publish(a.infra.subjects.aggregate('agent', 'garbage-2'), new TextEncoder().encode('{"events": 7}'));
    const after = await register('After');
    await waitFor('the agent registered after the garbage', async () => (await available(a)).has(after));
    const now = await available(a);
    expect(now.has(before)).toBe(true);
    expect([...now.keys()].filter((id) => id.startsWith('garbage'))).toEqual([]);
  });
});
