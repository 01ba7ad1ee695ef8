import { PlannerRoutes } from '@orch/contracts';
import { waitFor } from '@orch/testing';
import { runCli } from '../apps/cli/src/cli';
import { AgentsSystem } from './agents-harness';

/** `orch agents …` and `orch agent run` against the real gateway and agent manager. */
describe('orch agents', () => {
  let system: AgentsSystem;

  const orch = async (...args: string[]) => {
    let stdout = '';
    let stderr = '';
    const io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } };
    const code = await runCli(args, { io, env: { ORCH_URL: system.gateway.url, ORCH_API_KEY: 'dev-admin-key' } });
    return { code, stdout, stderr };
  };

  beforeAll(async () => {
    // The reviewer type without its spawn command, for the case of a type that cannot be spawned.
    system = await AgentsSystem.start({ env: { AGENT_ASSIGN_SCAN_MS: '100' }, agentsYaml: (yaml) => yaml.replace(/(\n  reviewer:[\s\S]*?)\n    command: \[[^\]]*\]/, '$1') });
  }, 60_000);

  afterAll(async () => system?.stop());

  it('registers, lists, shows, matches and terminates', async () => {
    const reg = await orch('agents', 'register', 'Ada', '--type', 'researcher', '--capabilities', 'web_research,data_synthesis,astrology', '--max-load', '2');
    expect(reg.code).toBe(0);
    expect(reg.stdout).toMatch(/api key\s+agt_researcher-/);
    expect(reg.stderr).toContain('astrology is not in the catalogue');
    const id = /id\s+(\S+)/.exec(reg.stdout)![1]!;

    // Each invocation is a new client, so the list may trail the registration by a moment.
    const list = await waitFor('the list to show Ada', async () => {
      const out = await orch('agents', 'list');
      return out.stdout.includes(id) && out;
    });
    expect(list.stdout).toMatch(new RegExp(`${id}\\s+Ada\\s+researcher\\s+IDLE\\s+0/2`));
    expect(JSON.parse((await orch('agents', 'get', id, '--json')).stdout)).toMatchObject({ id, capabilities: ['web_research', 'data_synthesis', 'astrology'] });

    const match = await orch('agents', 'match', 'web_research,code_review');
    expect(match.stdout).toContain(`rejected ${id} (Ada): lacks capabilities: code_review`);

    const term = await orch('agents', 'terminate', id, '--reason', 'done for today');
    expect(term).toMatchObject({ code: 0, stdout: `${id} TERMINATED\n` });
  });

  it('exits 2 on a usage mistake, 1 for an unknown agent and 3 for a refused rule, printing the problem', async () => {
    expect((await orch('agents', 'list', '--status', 'SLEEPING')).code).toBe(2);
    const unknown = await orch('agents', 'get', 'nobody-1');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('AGENT.NOT_FOUND');
    const spawn = await orch('agents', 'spawn', 'reviewer');
    expect(spawn.code).toBe(3);
    expect(spawn.stderr).toContain('AGENT.NO_COMMAND');
  });

  it('runs as an agent: registers, heartbeats and takes its first assignment', async () => {
    await system.call(PlannerRoutes.createSprint, { code: 'SPR-CLI', title: 'CLI' });
    const run = orch('agent', 'run', '--type', 'planner', '--name', 'cli planner', '--once', '--wait', '5', '--heartbeat-ms', '200');
    await system.readyTasks('SPR-CLI', ['TSK-CLI1'], { requiredCapabilities: ['task_decomposition'] });
    const { code, stdout, stderr } = await run;
    expect(code).toBe(0);
    expect(stderr).toMatch(/registered planner-\S+; its key: agt_planner-/);
    expect(JSON.parse(stdout.trim())).toMatchObject({ taskCode: 'TSK-CLI1', sprintCode: 'SPR-CLI', status: 'ASSIGNED', resumed: false });
  }, 30_000);
});
