import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Command } from 'commander';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createMcpServer } from '../mcp/server';
import { examples, positiveInt, type CommandContext } from './context';

const VERSION = '0.1.0';

/**
 * `orch mcp`: the agent-facing commands as an MCP server, configured like the CLI (ORCH_URL,
 * ORCH_API_KEY, ORCH_AGENT_ID). Over stdio by default — stdout then belongs to the protocol, so
 * nothing else may print there — or streamable HTTP on 127.0.0.1 with `--http PORT`.
 */
export function mcpCommand(program: Command, ctx: CommandContext, env: NodeJS.ProcessEnv): void {
  examples(program.command('mcp').description('serve the agent tools over the Model Context Protocol (stdio, or --http PORT)'), 'orch mcp', 'orch mcp --http 7400')
    .option('--http <port>', 'serve streamable HTTP on 127.0.0.1:PORT at /mcp instead of stdio', positiveInt)
    .addHelpText('after', '\nAdd to an agent\'s MCP config:\n  {"mcpServers": {"orchestrator": {"command": "npx", "args": ["orch", "mcp"],\n    "env": {"ORCH_URL": "http://127.0.0.1:3000", "ORCH_API_KEY": "<agent key>"}}}}')
    .action(async (opts: { http?: number }) => {
      const make = () => createMcpServer(ctx.client(), { agentId: env.ORCH_AGENT_ID || undefined, version: VERSION });
      if (opts.http) return serveHttp(opts.http, make, ctx);
      const transport = new StdioServerTransport();
      const closed = new Promise<void>((resolve) => (transport.onclose = resolve));
      await make().connect(transport);
      await closed;
    });
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
