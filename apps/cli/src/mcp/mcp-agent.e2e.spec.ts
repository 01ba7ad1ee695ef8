import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SystemUnderTest } from '@orch/testing';
import { ORCH_BIN, readmeMcpConfig, REPO_ROOT, startMcp, text, type McpAgent } from './testing/mcp-agent';

/**
 * A registered agent that was given nothing but the README's config and its own key: started from
 * its own directory, it heartbeats, finds work in its sprint, starts it from its context, overrides
 * a gate with a reason, and takes its session up again after a suspension.
 */
describe("orch mcp, configured as the README says, with an agent's own key", () => {
  let system: SystemUnderTest;
  let agent: McpAgent;
  let agentId = '';
  let agentKey = '';

  beforeAll(async () => {
    system = await SystemUnderTest.start({ services: ['planner', 'session-service', 'agent-manager'], env: { AGENT_AUTO_ASSIGN: 'off' } });
    const registered = (await (await system.fetch('/api/v1/agents', { json: { name: 'mcp-planner', type: 'planner' } })).json()) as { agent: { id: string }; apiKey: string };
    [agentId, agentKey] = [registered.agent.id, registered.apiKey];
    expect((await system.fetch('/api/v1/sprints', { json: { code: 'SPR-MCPA', title: 'MCP agents' } })).status).toBe(201);
    // The sprint's task is the less urgent one: only a next_task that keeps to the sprint offers it.
    const tasks = [{ code: 'TSK-MCPA1', title: 'Urgent, elsewhere', priority: 'HIGH' }, { code: 'TSK-MCPA2', title: 'In the sprint', priority: 'LOW', sprintCode: 'SPR-MCPA' }];
    for (const task of tasks) {
      expect((await system.fetch('/api/v1/tasks', { json: task })).status).toBe(201);
      expect((await system.fetch(`/api/v1/tasks/${task.code}`, { method: 'PATCH', json: { status: 'READY' } })).status).toBe(200);
    }

    const config = readmeMcpConfig();
    expect(Object.keys(config.env).sort()).toEqual(['ORCH_API_KEY', 'ORCH_URL']); // no ORCH_AGENT_ID
    const args = config.args.map((a) => a.replace('/path/to/orchestrator', REPO_ROOT));
    expect(args).toEqual([ORCH_BIN, 'mcp']);
    agent = await startMcp({ ORCH_URL: system.url, ORCH_API_KEY: agentKey }, { command: config.command, args });
  }, 90_000);

  afterAll(async () => {
    await agent?.close();
    await system?.stop();
  });

  it('heartbeats as the agent its key was issued to', async () => {
    const beat = await agent.call('heartbeat', { load: 0 });
    expect([beat.isError, text(beat)]).toEqual([undefined, `Heartbeat recorded for ${agentId} (IDLE)`]);
  });

  it('takes the gateway and the key from ~/.orch/config.json like the CLI, and the agent from that key', async () => {
    const home = mkdtempSync(join(tmpdir(), 'orch-mcp-home-'));
    writeFileSync(join(home, 'config.json'), JSON.stringify({ url: system.url, apiKey: agentKey }));
    const configured = await startMcp({ ORCH_HOME: home });
    try {
      const beat = await configured.call('heartbeat', { load: 0 });
      expect([beat.isError, text(beat)]).toEqual([undefined, `Heartbeat recorded for ${agentId} (IDLE)`]);
    } finally {
      await configured.close();
    }
  });

  it('offers the next task, within a sprint when asked', async () => {
    expect(text(await agent.call('next_task'))).toMatch(/^Next: TSK-MCPA1 Urgent, elsewhere \(/);
    const inSprint = await agent.call('next_task', { sprint: 'SPR-MCPA' });
    expect(text(inSprint)).toMatch(/^Next: TSK-MCPA2 In the sprint \(/);
    expect(inSprint.structuredContent).toMatchObject({ agent: { id: agentId, known: true } });
  });

  it('starts the task of its context, overrides a gate with a reason, and resumes after a suspension', async () => {
    // What `orch` does when an agent picks a task: it becomes the agent's current one.
    expect((await system.fetch('/api/v1/me/context', { method: 'PUT', key: agentKey, json: { taskCode: 'TSK-MCPA2' } })).status).toBe(200);
    const started = await agent.call('session_start');
    expect(text(started)).toMatch(/^Session (sess_TSK-MCPA2_\S+) started on TSK-MCPA2, phase INTAKE/);
    const key = (started.structuredContent as { session: { sessionKey: string; agentId: string } }).session.sessionKey;
    expect(started.structuredContent).toMatchObject({ session: { agentId } });
    expect(text(await agent.call('task_status'))).toBe('TSK-MCPA2 In the sprint: IN_PROGRESS');

    const overridden = await agent.call('phase_complete', { override: true, reason: 'the ticket is the TASK.md' });
    expect([overridden.isError, text(overridden)]).toEqual([undefined, expect.stringMatching(new RegExp(`^phase_complete: session ${key} is in RESEARCH \\(overridden\\)\n`))]);

    // As when the agent manager loses the agent: its session is suspended until someone resumes it.
    expect((await system.fetch(`/api/v1/sessions/${key}/suspend`, { json: { reason: 'agent lost' } })).status).toBe(200);
    const resumed = await agent.call('session_resume');
    expect(text(resumed)).toMatch(new RegExp(`^Resumed ${key} in RESEARCH; 1 item\\(s\\) open in this phase\\.\nLast actions:\n`));
    expect(resumed.structuredContent).toMatchObject({ session: { status: 'ACTIVE', agentId }, currentPhase: 'RESEARCH', openGate: [{ name: 'CONTEXT.md' }] });
  });
});
