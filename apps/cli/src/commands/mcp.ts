import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { realpathSync } from 'node:fs';
import type { Command } from 'commander';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { agentOfKey } from '../mcp/agent-key';
import { createMcpServer } from '../mcp/server';
import { examples, positiveInt, type CommandContext } from './context';

const VERSION = '0.1.0';

/**
 * `orch mcp`: the agent-facing commands as an MCP server, configured like the CLI (ORCH_URL,
 * ORCH_API_KEY; ORCH_AGENT_ID only when the key is not the agent's own). Over stdio by default —
 * stdout then belongs to the protocol, so nothing else may print there — or streamable HTTP on
 * 127.0.0.1 with `--http PORT`.
 */
export function mcpCommand(program: Command, ctx: CommandContext, env: NodeJS.ProcessEnv): void {
  examples(program.command('mcp').description('serve the agent tools over the Model Context Protocol (stdio, or --http PORT)'), 'orch mcp', 'orch mcp --http 7400')
    .option('--http <port>', 'serve streamable HTTP on 127.0.0.1:PORT at /mcp instead of stdio', positiveInt)
    .addHelpText('after', `\nAdd to an agent's MCP config (an absolute path, so it works from any directory):\n  ${mcpConfigExample()}`)
    .action(async (opts: { http?: number }) => {
      // next_task and heartbeat act for an agent: ORCH_AGENT_ID names it, else an agent key does
      // (the key the client sends, from the flag, the environment or ~/.orch/config.json).
      const agentId = env.ORCH_AGENT_ID || agentOfKey(ctx.client().apiKey);
      const phaseSeen = new Map<string, string>();
      const make = () => createMcpServer(ctx.client(), { agentId, version: VERSION, phaseSeen });
      if (opts.http) return serveHttp(opts.http, make, ctx);
      const transport = new StdioServerTransport();
      const closed = new Promise<void>((resolve) => (transport.onclose = resolve));
      await make().connect(transport);
      await closed;
    });
}

/**
 * The config for the very `orch` that is running, by its absolute path: agents start MCP servers
 * from their own directory, where `npx orch` would not find this one (and might fetch another).
 */
function mcpConfigExample(): string {
  let bin = '/path/to/orchestrator/apps/cli/bin/orch.js';
  try {
    bin = realpathSync(process.argv[1] ?? bin);
  } catch {
    // Not started from a file (an embedding, a test runner's eval): keep the placeholder.
  }
  const server = { command: 'node', args: [bin, 'mcp'], env: { ORCH_URL: 'http://127.0.0.1:3000', ORCH_API_KEY: '<the agent key, agt_…>' } };
  return JSON.stringify({ mcpServers: { orchestrator: server } });
}

/** Stateless streamable HTTP: one server and transport per request, so instances need no shared state. */
async function serveHttp(port: number, make: () => ReturnType<typeof createMcpServer>, ctx: CommandContext): Promise<void> {
  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== '/mcp') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('MCP is served at /mcp\n');
      return;
    }
    const server = make();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => void transport.close().then(() => server.close()));
    void server.connect(transport).then(() => transport.handleRequest(req, res));
  });
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  ctx.io.stderr.write(`MCP server listening on http://127.0.0.1:${port}/mcp\n`);
  await new Promise<void>((resolve) => http.once('close', resolve));
}
