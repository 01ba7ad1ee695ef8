import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** The repository: what the README's `/path/to/orchestrator` stands for. */
export const REPO_ROOT = join(__dirname, '..', '..', '..', '..', '..');
/** The `orch` the README tells agents to start, by its absolute path. */
export const ORCH_BIN = join(REPO_ROOT, 'apps', 'cli', 'bin', 'orch.js');

export const text = (r: CallToolResult) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

export interface McpAgent {
  client: Client;
  /** The directory the server was started in (and its ORCH_HOME): not the repository. */
  dir: string;
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  /** A resource's text (briefings are JSON, CHANGES.md is markdown). */
  read(uri: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts an MCP server the way an agent's MCP host does: `command` and `args` from its config,
 * in a directory of the agent's own (never the repository, so nothing may rely on cwd), with only
 * the config's env and PATH, and connects the SDK's own Client to it over stdio.
 */
export async function startMcp(env: Record<string, string>, server: { command: string; args: string[] } = { command: process.execPath, args: [ORCH_BIN, 'mcp'] }): Promise<McpAgent> {
  const dir = mkdtempSync(join(tmpdir(), 'orch-mcp-agent-'));
  const transport = new StdioClientTransport({ ...server, cwd: dir, env: { PATH: process.env.PATH ?? '', ORCH_HOME: dir, ...env }, stderr: 'pipe' });
  const client = new Client({ name: 'test-agent', version: '1.0.0' });
  await client.connect(transport);
  return {
    client,
    dir,
    call: async (name, args = {}) => (await client.callTool({ name, arguments: args })) as CallToolResult,
    read: async (uri) => {
      const { contents } = await client.readResource({ uri });
      return contents.map((c) => ('text' in c ? String(c.text) : '')).join('');
    },
    close: async () => {
      await client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The MCP server entry of the README's config block, exactly as a user would paste it. */
export function readmeMcpConfig(): { command: string; args: string[]; env: Record<string, string> } {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const block = /### MCP[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('README.md has no ```json block under "### MCP"');
  return (JSON.parse(block) as { mcpServers: { orchestrator: { command: string; args: string[]; env: Record<string, string> } } }).mcpServers.orchestrator;
}
