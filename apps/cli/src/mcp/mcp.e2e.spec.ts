import { spawn } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { freePort, SystemUnderTest, waitFor } from '@orch/testing';
import { ORCH_BIN, startMcp, text, type McpAgent } from './testing/mcp-agent';

/**
 * `orch mcp` driven by the SDK's own Client over stdio, against the running system: an agent that
 * knows nothing but the tools walks a task through every phase, reads its briefing and CHANGES.md,
 * logs a bug and searches. Failures and the agent-key setup have their own files.
 */
describe('orch mcp, as an agent sees it', () => {
  let system: SystemUnderTest;
  let agent: McpAgent;
  const call = (name: string, args?: Record<string, unknown>) => agent.call(name, args);
  let sessionKey = '';

  beforeAll(async () => {
    system = await SystemUnderTest.start({ services: ['planner', 'session-service', 'bug-service', 'search-service'] });
    const created = await system.fetch('/api/v1/tasks', { json: { code: 'TSK-MCP', title: 'Add the MCP server', description: 'Expose the agent commands as tools', estimateMinutes: 60 } });
    expect(created.status).toBe(201);
    agent = await startMcp({ ORCH_URL: system.url, ORCH_API_KEY: 'dev-agent-key' });
  }, 90_000);

  afterAll(async () => {
    await agent?.close();
    await system?.stop();
  });

  it('lists every tool with a description and an input schema', async () => {
    const { tools } = await agent.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(
      ['artifact', 'bug_log', 'context_search', 'conversation_add', 'heartbeat', 'next_task', 'note', 'phase_complete', 'session_end', 'session_resume', 'session_start', 'state_get', 'state_set', 'task_status', 'update'].sort(),
    );
    for (const tool of tools) {
      expect(tool.description?.length).toBeGreaterThan(20);
      expect(tool.inputSchema.type).toBe('object');
    }
    const artifact = tools.find((t) => t.name === 'artifact')!;
    expect(Object.keys(artifact.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(['sessionKey', 'name', 'content', 'uri', 'sha256']));
  });

  it('walks a task through all six phases with tools only, the session taken from the context', async () => {
    const started = await call('session_start', { taskCode: 'TSK-MCP' });
    expect(started.isError).toBeFalsy();
    expect(text(started)).toMatch(/Session sess_TSK-MCP_\d{8}_\d{6} started on TSK-MCP, phase INTAKE/);
    expect(text(started)).toMatch(/Missing before this phase can complete:\n {2}- artifact TASK\.md/);
    sessionKey = (started.structuredContent as { session: { sessionKey: string } }).session.sessionKey;
    // With no taskCode, the current task: the same session again.
    expect(text(await call('session_start'))).toMatch(new RegExp(`^Session ${sessionKey} existing on TSK-MCP, phase INTAKE`));
    expect(text(await call('task_status'))).toMatch(/^TSK-MCP Add the MCP server: IN_PROGRESS$/);

    const briefing = JSON.parse(await agent.read('orch://session/current/briefing'));
    expect(briefing).toMatchObject({ session: { sessionKey }, currentPhase: 'INTAKE', openGate: [expect.objectContaining({ kind: 'artifact', name: 'TASK.md' })] });

    // A gate that is not met is a tool error that names what is missing and what to do.
    const gate = await call('phase_complete');
    expect(gate.isError).toBe(true);
    expect(text(gate)).toMatch(/Missing:\n {2}- artifact TASK\.md/);
    expect(text(gate)).toMatch(/Provide what is missing/);

    const steps: Array<[string, string | null, Record<string, string>]> = [['INTAKE', 'TASK.md', {}], ['RESEARCH', 'CONTEXT.md', {}], ['PLAN', 'PLAN.md', {}], ['EXECUTE', null, {}], ['REVIEW', 'CHANGES.md', { test_results: 'all green' }]];
    for (const [phase, name, fields] of steps) {
      if (name) expect((await call('artifact', { name, content: `# ${name}\n` })).isError).toBeFalsy();
      if (phase === 'EXECUTE') await recordCommit();
      const note = await call('note', { text: `finished the work of ${phase}` });
      expect([note.isError, text(note)]).toEqual([undefined, expect.stringMatching(new RegExp(`^note: session ${sessionKey} is in ${phase} \\(updated\\)\n\nTask TSK-MCP · session ${sessionKey} · phase ${phase} \\(ACTIVE\\)`))]);
      const done = await call('phase_complete', { fields });
      expect([done.isError, text(done)]).toEqual([undefined, expect.stringMatching(/^phase_complete: session \S+ is in [A-Z]+ \(advanced\)/)]);
    }
    const byKey = JSON.parse(await agent.read(`orch://sessions/${sessionKey}/briefing`));
    expect(byKey).toMatchObject({ currentPhase: 'CLOSE', openGate: [expect.objectContaining({ kind: 'field', name: 'summary' })] });
    expect(byKey.notes.map((n: { text: string }) => n.text)).toEqual(expect.arrayContaining(['finished the work of INTAKE', 'finished the work of REVIEW']));
    expect(byKey.commits).toEqual([expect.objectContaining({ shortHash: 'c0ffee1', message: 'feat(cli): serve the agent tools over MCP' })]);

    expect((await call('update', { text: 'implemented and tested', percent: 100 })).isError).toBeFalsy();
    const end = await call('session_end', { summary: 'The MCP server works' });
    expect(text(end)).toMatch(/is in CLOSE \(ended\)/);
    expect(end.structuredContent).toMatchObject({ session: { status: 'COMPLETED' } });
  });

  /** What the agent's git hook does after a commit (`orch` records it on the session). */
  async function recordCommit(): Promise<void> {
    const res = await system.fetch(`/api/v1/sessions/${sessionKey}/commits`, { key: 'dev-agent-key', json: { hash: 'c0ffee1d2e3f', message: 'feat(cli): serve the agent tools over MCP', author: 'agent' } });
    expect(res.status).toBe(201);
    const changes = await agent.read('orch://task/current/changes.md');
    expect(changes).toMatch(/^# Changes Summary\n/);
    expect(changes).toContain('\n## Related Commits\n- c0ffee1 - feat(cli): serve the agent tools over MCP (Phase: execute)\n');
  }

  it("reads a task's CHANGES.md by its code", async () => {
    const changes = await agent.read('orch://tasks/TSK-MCP/changes.md');
    expect(changes).toContain('**Task**: Add the MCP server (TSK-MCP)\n');
    expect(changes).toContain('## Overview\nExpose the agent commands as tools\n');
    expect(changes).toContain('- c0ffee1 - feat(cli): serve the agent tools over MCP (Phase: execute)');
  });

  it('logs a bug against the current task, and finds it by searching', async () => {
    const bug = await call('bug_log', { message: "TypeError: Cannot read properties of undefined (reading 'transport')", file: 'apps/cli/src/mcp/server.ts', line: 12 });
    expect(bug.isError).toBeFalsy();
    expect(text(bug)).toMatch(/^Bug new \(1 occurrence/);
    expect(bug.structuredContent).toMatchObject({ bug: { lastTaskCode: 'TSK-MCP', tasks: ['TSK-MCP'] } });
    const found = await call('context_search', { q: 'transport', scope: 'TASK', id: 'TSK-MCP' });
    expect(found.isError).toBeFalsy();
    expect(text(found)).toMatch(/[1-9]\d* result\(s\) in TASK TSK-MCP/);
  });

  it('serves the same tools over streamable HTTP with --http', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [ORCH_BIN, 'mcp', '--http', String(port)], { cwd: agent.dir, env: { ...process.env, ORCH_URL: system.url, ORCH_API_KEY: 'dev-agent-key', ORCH_HOME: agent.dir }, stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stderr!.on('data', (chunk: Buffer) => chunk.toString().includes('listening') && resolve());
        child.once('exit', (code) => reject(new Error(`orch mcp --http exited with ${code}`)));
      });
      const http = new Client({ name: 'http-agent', version: '1.0.0' });
      await http.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)));
      const status = (await http.callTool({ name: 'task_status', arguments: { taskCode: 'TSK-MCP' } })) as CallToolResult;
      expect(text(status)).toMatch(/^TSK-MCP Add the MCP server: /);

      // Every HTTP request gets a server of its own, yet the phase the agent saw still guards
      // phase_complete: a phase someone else completed meanwhile is not completed again.
      expect((await system.fetch('/api/v1/tasks', { json: { code: 'TSK-MCPH', title: 'Over HTTP' } })).status).toBe(201);
      const tool = async (name: string, args: Record<string, unknown>) => (await http.callTool({ name, arguments: args })) as CallToolResult;
      const key = ((await tool('session_start', { taskCode: 'TSK-MCPH' })).structuredContent as { session: { sessionKey: string } }).session.sessionKey;
      expect((await tool('artifact', { sessionKey: key, name: 'TASK.md', content: '# Task' })).isError).toBeFalsy();
      expect((await system.fetch(`/api/v1/sessions/${key}/phase-complete`, { json: { phase: 'INTAKE' } })).status).toBe(200);
      expect((await system.fetch(`/api/v1/sessions/${key}/artifacts`, { json: { name: 'CONTEXT.md', content: '# Context' } })).status).toBeLessThan(300);
      const late = await tool('phase_complete', { sessionKey: key });
      expect(late.structuredContent).toMatchObject({ status: 409, code: 'SESSION.PHASE_MOVED' });
      await http.close();
    } finally {
      child.kill();
    }
  });

  it('offers the work_on_task prompt, its argument checked as a task code', async () => {
    const prompt = await agent.client.getPrompt({ name: 'work_on_task', arguments: { taskCode: 'TSK-9' } });
    expect(JSON.stringify(prompt.messages)).toContain('session_start with taskCode TSK-9');
    await expect(agent.client.getPrompt({ name: 'work_on_task', arguments: { taskCode: 'fix the bug' } })).rejects.toThrow(/taskCode/);
  });

  it('keeps state and the conversation in the current session, with a version check', async () => {
    expect((await system.fetch('/api/v1/tasks', { json: { code: 'TSK-MCP2', title: 'Remember the theme' } })).status).toBe(201);
    expect((await call('session_start', { taskCode: 'TSK-MCP2' })).isError).toBeFalsy();
    const set = await call('state_set', { name: 'approach', value: { theme: 'css-variables' } });
    expect(text(set)).toMatch(/^approach \(shared\) is at version 1 in sess_TSK-MCP2_/);
    const stale = await call('state_set', { name: 'approach', value: 'tailwind', ifVersion: 0 });
    expect(stale.isError).toBe(true);
    expect(text(stale)).toMatch(/version/i);
    const got = await call('state_get', { name: 'approach' });
    expect(text(got)).toBe('approach (shared, version 1) = {"theme":"css-variables"}');
    expect(got.structuredContent).toMatchObject({ value: { theme: 'css-variables' }, version: 1 });
    const temporary = await call('state_set', { name: 'lock', value: true, scope: 'temporary' }); // no ttlSeconds
    expect(temporary.isError).toBe(true);
    expect(text(temporary)).toMatch(/ttlSeconds/);
    const turn = await call('conversation_add', { role: 'assistant', content: 'The theme lives in CSS variables', tokens: { input: 900, output: 40 } });
    expect(text(turn)).toMatch(/^Turn 1 \(assistant\) recorded in sess_TSK-MCP2_/);
    const briefing = await system.fetch(`/api/v1/me/briefing`, { key: 'dev-agent-key' });
    expect(JSON.stringify(await briefing.json())).toContain('The theme lives in CSS variables');
  });

  it('searches the current session when no scope is given', async () => {
    expect((await call('note', { text: 'the lighthouse pattern keeps the theme' })).isError).toBeFalsy(); // in TSK-MCP2's session
    expect((await system.fetch('/api/v1/tasks', { json: { code: 'TSK-MCP3', title: 'Search what was learned' } })).status).toBe(201);
    const current = ((await call('session_start', { taskCode: 'TSK-MCP3' })).structuredContent as { session: { sessionKey: string } }).session.sessionKey;
    expect((await call('note', { text: 'the lighthouse pattern again' })).isError).toBeFalsy();
    await waitForHitsIn(2, 'lighthouse');

    const found = await call('context_search', { q: 'lighthouse' });
    expect(text(found)).toMatch(new RegExp(`^1 result\\(s\\) in SESSION ${current}:\n {2}- orchestration\\.session\\.note_added: .*again`));
    expect(found.structuredContent).toMatchObject({ scope: 'SESSION', id: current, items: [{ sessionKey: current }] });
  });

  /** The search index follows the log: wait until the term is found in that many sessions. */
  async function waitForHitsIn(sessions: number, q: string): Promise<void> {
    await waitFor(`"${q}" indexed in ${sessions} sessions`, async () => {
      const res = await system.fetch(`/api/v1/search?q=${q}&noCache=true`);
      const items = ((await res.json()) as { items: Array<{ sessionKey: string | null }> }).items;
      return new Set(items.map((i) => i.sessionKey)).size >= sessions;
    });
  }
});
