import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { TaskCode } from '@orch/contracts';
import { ok as answer, type GatewayClient } from '../client';
import { failure, ok } from './render';
import { notePhaseSeen, TOOLS, type ToolEnv } from './tools';

export const MCP_SERVER_NAME = 'orchestrator';

/**
 * The agent-facing commands of the CLI as MCP tools, the session briefing and the task's
 * CHANGES.md as resources, and a prompt that walks an agent through the phases. Every call goes
 * to the gateway with this server's key, so roles and ownership are the API's, not ours.
 */
export function createMcpServer(api: GatewayClient, opts: { agentId?: string; version: string; phaseSeen?: Map<string, string> }): McpServer {
  const server = new McpServer({ name: MCP_SERVER_NAME, version: opts.version }, { instructions: GUIDE });
  // The phases seen outlive one server when the caller shares them (--http makes a server per request).
  const env: ToolEnv = { api, agentId: opts.agentId, phaseSeen: opts.phaseSeen ?? new Map() };

  for (const tool of TOOLS) {
    server.registerTool(tool.name, { description: tool.description, inputSchema: tool.input }, async (args: Record<string, unknown>) => {
      try {
        const { headline, body } = await tool.run(args, env);
        notePhaseSeen(env, body);
        return ok(headline, body);
      } catch (error) {
        return failure(error);
      }
    });
  }

  const briefing = async (uri: URL, key?: string) => {
    const body = await answer(key ? api.api.GET('/api/v1/sessions/{key}/briefing', { params: { path: { key } } }) : api.api.GET('/api/v1/me/briefing'));
    return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(body, null, 2) }] };
  };
  const changes = async (uri: URL, code?: string) => {
    const task = code ?? (await answer(api.api.GET('/api/v1/me/context'))).taskCode;
    if (!task) throw new Error('No current task: start a session first, or read orch://tasks/{taskCode}/changes.md');
    const text = await answer(api.api.GET('/api/v1/tasks/{code}/changes.md', { params: { path: { code: task } }, parseAs: 'text' }));
    return { contents: [{ uri: uri.href, mimeType: 'text/markdown', text: String(text ?? '') }] };
  };
  server.registerResource('current-briefing', 'orch://session/current/briefing', { description: 'The resume briefing of your current session', mimeType: 'application/json' }, (uri) => briefing(uri));
  server.registerResource('current-changes', 'orch://task/current/changes.md', { description: "Your current task's CHANGES.md", mimeType: 'text/markdown' }, (uri) => changes(uri));
  server.registerResource('session-briefing', new ResourceTemplate('orch://sessions/{sessionKey}/briefing', { list: undefined }), { description: 'The resume briefing of a session', mimeType: 'application/json' }, (uri, vars) => briefing(uri, String(vars.sessionKey)));
  server.registerResource('task-changes', new ResourceTemplate('orch://tasks/{taskCode}/changes.md', { list: undefined }), { description: "A task's CHANGES.md", mimeType: 'text/markdown' }, (uri, vars) => changes(uri, String(vars.taskCode)));

  server.registerPrompt(
    'work_on_task',
    { description: 'Work a task through its phases with the Orchestrator\'s tools', argsSchema: { taskCode: TaskCode.describe('The task to work on, e.g. TSK-101') } },
    ({ taskCode }) => ({ messages: [{ role: 'user', content: { type: 'text', text: workOnTask(taskCode) } }] }),
  );
  return server;
}

const GUIDE = 'Tools of the Orchestrator, the control plane of this team of agents. Start with session_start, follow the "Next" lines every answer gives, log errors with bug_log, and send a heartbeat every few seconds while working.';

function workOnTask(taskCode: string): string {
  return [
    `Work on task ${taskCode} through the Orchestrator's phases (INTAKE → RESEARCH → PLAN → EXECUTE → REVIEW → CLOSE; a bug fix skips PLAN).`,
    `1. Call session_start with taskCode ${taskCode}. If it says "resumed", read the briefing (resource orch://session/current/briefing) before anything else.`,
    '2. In each phase: do the work, register what the phase requires with artifact (e.g. TASK.md, CONTEXT.md, PLAN.md, CHANGES.md), record decisions with note and progress with update.',
    '3. Call phase_complete. If it lists missing items, provide them and call again; never override without a real reason.',
    '4. Whenever something fails, call bug_log with the error message, file and stack; before solving a problem, try context_search for what was learned before.',
    '5. While working, call heartbeat every few seconds. In CLOSE, give the summary field to phase_complete, then session_end.',
  ].join('\n');
}
