import { SystemUnderTest } from '@orch/testing';
import { startMcp, text, type McpAgent } from './testing/mcp-agent';

/**
 * What an agent is told when a call fails, against the running system: every failure is a tool
 * error (the model reads it) that says what went wrong and what to do next.
 */
describe('orch mcp, when a call fails', () => {
  let system: SystemUnderTest;
  let agent: McpAgent;
  const others: McpAgent[] = [];
  const another = async (env: Record<string, string>) => {
    const started = await startMcp({ ORCH_URL: system.url, ...env });
    others.push(started);
    return started;
  };

  beforeAll(async () => {
    system = await SystemUnderTest.start({ services: ['planner', 'session-service'] });
    for (const code of ['TSK-MCPF1', 'TSK-MCPF2']) expect((await system.fetch('/api/v1/tasks', { json: { code, title: `Fail well (${code})` } })).status).toBe(201);
    agent = await startMcp({ ORCH_URL: system.url, ORCH_API_KEY: 'dev-agent-key' });
  }, 90_000);

  afterAll(async () => {
    for (const a of [agent, ...others]) await a?.close();
    await system?.stop();
  });

  it('says to set ORCH_API_KEY when the key is wrong', async () => {
    const stranger = await another({ ORCH_API_KEY: 'not-a-key' });
    const status = await stranger.call('task_status', { taskCode: 'TSK-MCPF1' });
    expect(status.isError).toBe(true);
    expect(text(status)).toMatch(/^Error AUTH\.\S+: .+\n\nThe API key is missing or unknown: set ORCH_API_KEY for this MCP server\.$/);
    expect(status.structuredContent).toMatchObject({ status: 401 });
  });

  it('refuses to take over a session another agent holds, and says to re-read it', async () => {
    const started = await agent.call('session_start', { taskCode: 'TSK-MCPF1' });
    const key = (started.structuredContent as { session: { sessionKey: string } }).session.sessionKey;
    const rival = await another({ ORCH_API_KEY: 'dev-agent-key', ORCH_AGENT_ID: 'rival-agent' });
    const taken = await rival.call('session_resume', { sessionKey: key });
    expect(taken.isError).toBe(true);
    expect(text(taken)).toMatch(new RegExp(`^Error SESSION\\.HELD: Session ${key} is ACTIVE with agent \\S+; only a SUSPENDED session can be taken over\n`));
    expect(text(taken)).toMatch(/\n\nThe state moved on \(another agent or call won\): read it again \(session_resume\) and retry if it still applies\.$/);
    expect(taken.structuredContent).toMatchObject({ status: 409, code: 'SESSION.HELD' });
  });

  it('still lets the holder take its session up, with the briefing', async () => {
    const resumed = await agent.call('session_resume');
    expect(resumed.isError).toBeFalsy();
    expect(text(resumed)).toMatch(/^Resumed sess_TSK-MCPF1_\S+ in INTAKE; 1 item\(s\) open in this phase\.\nLast actions:\n {2}- /);
    expect(resumed.structuredContent).toMatchObject({ currentPhase: 'INTAKE', openGate: [{ kind: 'artifact', name: 'TASK.md' }] });
  });

  // The tools take the contracts' fields, not their rules across fields: those the gateway checks.
  it('refuses to complete a phase the agent has not seen, when another call completed the one it saw', async () => {
    // Two MCP servers of one agent (two windows, say) on one session: both saw INTAKE.
    const first = await another({ ORCH_API_KEY: 'dev-agent-key' });
    const second = await another({ ORCH_API_KEY: 'dev-agent-key' });
    const started = await first.call('session_start', { taskCode: 'TSK-MCPF2' });
    const key = (started.structuredContent as { session: { sessionKey: string } }).session.sessionKey;
    expect((await second.call('session_resume', { sessionKey: key })).structuredContent).toMatchObject({ currentPhase: 'INTAKE' });

    expect((await first.call('artifact', { sessionKey: key, name: 'TASK.md', content: '# Task' })).isError).toBeFalsy();
    expect((await first.call('phase_complete', { sessionKey: key })).structuredContent).toMatchObject({ session: { currentPhase: 'RESEARCH' } });
    expect((await first.call('artifact', { sessionKey: key, name: 'CONTEXT.md', content: '# Context' })).isError).toBeFalsy(); // RESEARCH's gate is met

    const late = await second.call('phase_complete', { sessionKey: key });
    expect(late.isError).toBe(true);
    expect(late.structuredContent).toMatchObject({ status: 409, code: 'SESSION.PHASE_MOVED' });
    expect(text(late)).toContain('read it again (session_resume)');
    // Having read it again, the second window completes RESEARCH, the phase it now knows of.
    expect((await second.call('session_resume', { sessionKey: key })).structuredContent).toMatchObject({ currentPhase: 'RESEARCH' });
    expect((await second.call('phase_complete', { sessionKey: key })).structuredContent).toMatchObject({ session: { currentPhase: 'PLAN' } });
  });

  it('names the argument a rule across fields is about, when the gateway refuses it', async () => {
    const override = await agent.call('phase_complete', { override: true });
    expect(override.isError).toBe(true);
    expect(text(override)).toMatch(/\n {2}- argument reason: is required with override \(say why the gate is skipped\)\n\nFix the arguments named above and call again\.$/);
    expect(override.structuredContent).toMatchObject({ status: 400 });

    const empty = await agent.call('artifact', { name: 'TASK.md' });
    expect(empty.isError).toBe(true);
    expect(text(empty)).toMatch(/\n {2}- arguments: give content, a uri or a sha256\n/);
    expect(text(empty)).toMatch(/Fix the arguments named above and call again\.$/);
  });

  it('names the field of an argument that breaks its schema, and an id that does not exist', async () => {
    const bad = await agent.call('artifact', { name: '../../etc/passwd', content: 'x' });
    expect(bad.isError).toBe(true);
    expect(text(bad)).toMatch(/Invalid arguments for tool artifact: must be a file name such as PLAN\.md .* at name$/);
    const unknown = await agent.call('task_status', { taskCode: 'TSK-NOPE' });
    expect(unknown.isError).toBe(true);
    expect(text(unknown)).toMatch(/^Error \S+: .*TSK-NOPE[\s\S]*\n\nCheck the id/);
  });

  it('says to set ORCH_AGENT_ID when the key names no agent and none is given', async () => {
    for (const tool of ['next_task', 'heartbeat']) {
      const answer = await agent.call(tool);
      expect(answer.isError).toBe(true);
      expect(text(answer)).toMatch(/^Failed: No agent id: .*set ORCH_AGENT_ID=<your agent id>/);
    }
  });
});
