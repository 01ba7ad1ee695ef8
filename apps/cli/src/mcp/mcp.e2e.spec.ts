import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { freePort, SystemUnderTest } from '@orch/testing';

const CLI = join(__dirname, '..', '..', '..', '..', 'dist', 'apps', 'cli', 'src', 'main.js');
const text = (r: CallToolResult) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

/**
 * `orch mcp` driven by the SDK's own Client over stdio, against the running system: an agent that
 * knows nothing but the tools walks a task through every phase, logs a bug, searches, and is told
 * what to do when a gate is not met or an argument is wrong.
 */
describe('orch mcp, as an agent sees it', () => {
  let system: SystemUnderTest;
  let client: Client;
  let home: string;
  const call = async (name: string, args: Record<string, unknown> = {}) => (await client.callTool({ name, arguments: args })) as CallToolResult;

  beforeAll(async () => {
    system = await SystemUnderTest.start({ services: ['planner', 'session-service', 'bug-service', 'search-service'] });
    const created = await system.fetch('/api/v1/tasks', { json: { code: 'TSK-MCP', title: 'Add the MCP server', description: 'Expose the agent commands as tools', estimateMinutes: 60 } });
    expect(created.status).toBe(201);
    home = mkdtempSync(join(tmpdir(), 'orch-mcp-'));
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, 'mcp'],
      env: { PATH: process.env.PATH ?? '', ORCH_URL: system.url, ORCH_API_KEY: 'dev-agent-key', ORCH_HOME: home },
      stderr: 'pipe',
    });
    client = new Client({ name: 'test-agent', version: '1.0.0' });
    await client.connect(transport);
  }, 90_000);

  afterAll(async () => {
    await client?.close();
    await system?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('lists every tool with a description and an input schema', async () => {
    const { tools } = await client.listTools();
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

    // A gate that is not met is a tool error that names what is missing and what to do.
    const gate = await call('phase_complete');
    expect(gate.isError).toBe(true);
    expect(text(gate)).toMatch(/Missing:\n {2}- artifact TASK\.md/);
    expect(text(gate)).toMatch(/Provide what is missing/);

    const steps: Array<[string | null, Record<string, string>]> = [['TASK.md', {}], ['CONTEXT.md', {}], ['PLAN.md', {}], [null, {}], ['CHANGES.md', { test_results: 'all green' }]];
    for (const [name, fields] of steps) {
      if (name) expect((await call('artifact', { name, content: `# ${name}\n` })).isError).toBeFalsy();
      await call('note', { text: `finished the work before ${name ?? 'review'}` });
      const done = await call('phase_complete', { fields });
      expect([done.isError, text(done)]).toEqual([undefined, expect.stringMatching(/^phase_complete: session \S+ is in [A-Z]+/)]);
    }
    expect((await call('update', { text: 'implemented and tested', percent: 100 })).isError).toBeFalsy();
    const end = await call('session_end', { summary: 'The MCP server works' });
    expect(text(end)).toMatch(/is in CLOSE \(ended\)/);
    expect(end.structuredContent).toMatchObject({ session: { status: 'COMPLETED' } });
  });

  it('logs a bug against the current task, and finds it by searching', async () => {
    const bug = await call('bug_log', { message: "TypeError: Cannot read properties of undefined (reading 'transport')", file: 'apps/cli/src/mcp/server.ts', line: 12 });
    expect(bug.isError).toBeFalsy();
    expect(text(bug)).toMatch(/^Bug new \(1 occurrence/);
    const found = await client.callTool({ name: 'context_search', arguments: { q: 'transport', scope: 'TASK', id: 'TSK-MCP' } });
    expect((found as CallToolResult).isError).toBeFalsy();
    expect(text(found as CallToolResult)).toMatch(/[1-9]\d* result\(s\) in TASK TSK-MCP/);
  });

  it('reads the task\'s CHANGES.md as a resource', async () => {
    const res = await client.readResource({ uri: 'orch://tasks/TSK-MCP/changes.md' });
    expect(res.contents[0]).toMatchObject({ mimeType: 'text/markdown' });
    expect(JSON.stringify(res.contents[0])).toContain('TSK-MCP');
  });

  it('answers bad input as a tool error naming the field', async () => {
    const bad = await call('artifact', { name: '../../etc/passwd', content: 'x' });
    expect(bad.isError).toBe(true);
    expect(text(bad)).toMatch(/name/);
    const unknown = await call('task_status', { taskCode: 'TSK-NOPE' });
    expect(unknown.isError).toBe(true);
    expect(text(unknown)).toMatch(/Check the id/);
  });

  it('serves the same tools over streamable HTTP with --http', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [CLI, 'mcp', '--http', String(port)], { env: { ...process.env, ORCH_URL: system.url, ORCH_API_KEY: 'dev-agent-key', ORCH_HOME: home }, stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stderr!.on('data', (chunk: Buffer) => chunk.toString().includes('listening') && resolve());
        child.once('exit', (code) => reject(new Error(`orch mcp --http exited with ${code}`)));
      });
      const http = new Client({ name: 'http-agent', version: '1.0.0' });
      await http.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)));
      const status = (await http.callTool({ name: 'task_status', arguments: { taskCode: 'TSK-MCP' } })) as CallToolResult;
      expect(text(status)).toMatch(/^TSK-MCP Add the MCP server: /);
      await http.close();
    } finally {
      child.kill();
    }
  });

  it('offers the work_on_task prompt', async () => {
    const prompt = await client.getPrompt({ name: 'work_on_task', arguments: { taskCode: 'TSK-9' } });
    expect(JSON.stringify(prompt.messages)).toContain('session_start with taskCode TSK-9');
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
});
