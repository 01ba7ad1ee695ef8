import {
  AgentId,
  HeartbeatBody,
  LogBugBody,
  NextTaskQuery,
  SearchQuery,
  TaskCode,
} from '@orch/contracts';
import { ok, type Schema } from '../client';
import { bugScope } from '../bug-scope';
import { agentOf, context, currentTask, sessionKey, type ToolSpec } from './tool-kit';

/** The tools around the work: bugs, search, the next task, a task's status and the heartbeat. */
export const WORK_TOOLS: ToolSpec[] = [
  {
    name: 'bug_log',
    description: 'Log an error you hit. The same error from anyone groups into one bug; the answer says whether it is new, recurring or a regression. Task and session default to your current ones.',
    input: { ...LogBugBody.shape },
    async run(args, env) {
      const given = args as Schema<'LogBugBody'>;
      const current = given.taskCode && given.sessionKey ? {} : await context(env).catch(() => ({}));
      const body = { ...given, ...bugScope(given, current), agentId: given.agentId ?? env.agentId };
      const reply = await ok(env.api.api.POST('/api/v1/bugs', { body }));
      return { headline: `Bug ${reply.outcome} (${reply.bug.occurrenceCount} occurrence(s))`, body: reply };
    },
  },
  {
    name: 'context_search',
    description: 'Search everything that happened (events, notes, bugs, commits) in a scope: SESSION, TASK, SPRINT or PROJECT. Web-search syntax: "quoted phrases", -exclude. With no scope, searches your current session.',
    // The contract's scope defaults to PROJECT; the MCP SDK would fill that default in before the
    // tool runs, and "no scope = your current session" could never happen. Same enum, no default.
    input: { ...SearchQuery.shape, scope: SearchQuery.shape.scope.unwrap().optional().describe('SESSION, TASK, SPRINT or PROJECT; omitted = your current session (else task, else PROJECT)') },
    async run(args, env) {
      // The MCP server checked the arguments against SearchQuery, the route's own contract.
      const given = args as { q: string; scope?: Schema<'SearchResult'>['scope']; id?: string; limit?: number; summary?: boolean; noCache?: boolean };
      let { scope, id } = given;
      if (!scope) {
        const ctx = await context(env).catch(() => undefined);
        scope = ctx?.sessionKey ? 'SESSION' : ctx?.taskCode ? 'TASK' : 'PROJECT';
        id = ctx?.sessionKey ?? ctx?.taskCode ?? undefined;
      }
      const result = await ok(env.api.api.GET('/api/v1/search', { params: { query: { ...given, scope, id } } }));
      const hits = result.items;
      return { headline: `${hits.length} result(s) in ${scope}${id ? ` ${id}` : ''}${hits.length ? ':\n' + hits.slice(0, 10).map((h) => `  - ${h.type}: ${(h.snippet ?? '').replace(/\s+/g, ' ').slice(0, 160)}`).join('\n') : ''}`, body: result };
    },
  },
  {
    name: 'next_task',
    description: 'The highest-priority READY task you can do (by your capabilities), or why there is none; optionally only in one sprint.',
    input: { ...NextTaskQuery.shape, agent: NextTaskQuery.shape.agent.optional().describe("Agent id; omitted = this server's agent (its agent key, or ORCH_AGENT_ID)") },
    async run(args, env) {
      const agent = agentOf(args.agent, env, 'agent');
      const sprint = args.sprint as string | undefined;
      const next = await ok(env.api.api.GET('/api/v1/tasks/next', { params: { query: { agent, ...(sprint ? { sprint } : {}) } } }));
      return { headline: next.task ? `Next: ${next.task.code} ${next.task.title} (${next.reason})` : `Nothing to take: ${next.reason}`, body: next };
    },
  },
  {
    name: 'task_status',
    description: 'A task as it stands: status, assignee, estimate, dependencies, its session state. With no taskCode, your current task.',
    input: { taskCode: TaskCode.optional() },
    async run(args, env) {
      const code = await currentTask(args, env);
      const task = await ok(env.api.api.GET('/api/v1/tasks/{code}', { params: { path: { code } } }));
      return { headline: `${task.code} ${task.title}: ${task.status}`, body: task };
    },
  },
  {
    name: 'heartbeat',
    description: 'Tell the Orchestrator you are alive (every few seconds while working), with your load and optional progress. Missing heartbeats make you STALE, then LOST (your tasks go to others).',
    input: { agentId: AgentId.optional().describe("Agent id; omitted = this server's agent (its agent key, or ORCH_AGENT_ID)"), ...HeartbeatBody.shape },
    async run(args, env) {
      const id = agentOf(args.agentId, env, 'agentId');
      const { agentId: _id, ...beat } = args as Schema<'HeartbeatBody'> & { agentId?: string };
      const reply = await ok(env.api.api.POST('/api/v1/agents/{id}/heartbeat', { params: { path: { id } }, body: beat }));
      return { headline: `Heartbeat recorded for ${id}${reply?.status ? ` (${reply.status})` : ''}`, body: reply };
    },
  },
];
