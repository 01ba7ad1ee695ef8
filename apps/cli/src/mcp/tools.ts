import { z } from 'zod';
import {
  AgentId,
  ArtifactBody,
  EndSessionBody,
  HeartbeatBody,
  LogBugBody,
  NoteBody,
  PhaseCompleteBody,
  ProgressBody,
  ResumeSessionBody,
  SearchQuery,
  SessionKey,
  StartSessionBody,
  TaskCode,
} from '@orch/contracts';
import type { GatewayClient } from '../client';

/** What a tool needs besides its arguments. */
export interface ToolEnv {
  api: GatewayClient;
  /** The agent this server speaks for (ORCH_AGENT_ID), used when a tool names none. */
  agentId?: string;
}

export interface ToolSpec {
  name: string;
  description: string;
  /** Input fields, taken from the API's own contracts in libs/contracts (no second copy). */
  input: z.ZodRawShape;
  run(args: Record<string, unknown>, env: ToolEnv): Promise<{ headline: string; body: unknown }>;
}

const sessionKey = { sessionKey: SessionKey.optional().describe('The session; omitted = your current session') };
const enc = encodeURIComponent;

/** `/sessions/:key/<action>` when a key is given, else `/me/<action>` (the caller's current session). */
const sessionPath = (key: unknown, action: string) => (typeof key === 'string' ? `/api/v1/sessions/${enc(key)}/${action}` : `/api/v1/me/${action}`);

function withoutKey(args: Record<string, unknown>): Record<string, unknown> {
  const { sessionKey: _key, ...rest } = args;
  return rest;
}

/** The caller's current context, from the server (the same one the CLI and `/me` routes use). */
async function context(env: ToolEnv): Promise<{ taskCode: string | null; sessionKey: string | null; sprintCode: string | null }> {
  return (await env.api.get<{ taskCode: string | null; sessionKey: string | null; sprintCode: string | null }>('/api/v1/me/context')).body;
}

async function currentTask(args: Record<string, unknown>, env: ToolEnv): Promise<string> {
  const code = (args.taskCode as string | undefined) ?? (await context(env)).taskCode;
  if (!code) throw new Error('No task given and none is current: pass taskCode (see next_task for one to take).');
  return code;
}

const sessionCommand = (name: string, action: string, description: string, body: z.ZodObject): ToolSpec => ({
  name,
  description,
  input: { ...sessionKey, ...body.shape },
  async run(args, env) {
    const res = await env.api.post<{ session?: { sessionKey: string; currentPhase: string }; outcome?: string }>(sessionPath(args.sessionKey, action), withoutKey(args));
    const s = res.body.session;
    return { headline: s ? `${name}: session ${s.sessionKey} is in ${s.currentPhase}${res.body.outcome ? ` (${res.body.outcome})` : ''}` : `${name}: done`, body: res.body };
  },
});

export const TOOLS: ToolSpec[] = [
  {
    name: 'session_start',
    description: 'Start working on a task: opens its session (or returns its ACTIVE one, or resumes a SUSPENDED one with a briefing). With no taskCode, uses your current task.',
    input: { ...StartSessionBody.partial().shape },
    async run(args, env) {
      const taskCode = await currentTask(args, env);
      const agentId = (args.agentId as string | undefined) ?? env.agentId;
      const res = await env.api.post<{ session: { sessionKey: string; currentPhase: string }; outcome: string }>('/api/v1/sessions', { taskCode, ...(agentId ? { agentId } : {}) });
      return { headline: `Session ${res.body.session.sessionKey} ${res.body.outcome} on ${taskCode}, phase ${res.body.session.currentPhase}`, body: res.body };
    },
  },
  {
    name: 'session_resume',
    description: 'Take up a session (yours after a crash, or a SUSPENDED one of another agent) and get its resume briefing: phase, open gate, last actions, notes, artifacts, bugs, commits.',
    input: { ...sessionKey, ...ResumeSessionBody.shape },
    async run(args, env) {
      const key = (args.sessionKey as string | undefined) ?? (await context(env)).sessionKey;
      if (!key) throw new Error('No session given and none is current: pass sessionKey, or session_start a task.');
      const agentId = (args.agentId as string | undefined) ?? env.agentId;
      await env.api.post(`/api/v1/sessions/${enc(key)}/resume`, { ...withoutKey(args), ...(agentId ? { agentId } : {}) });
      const briefing = (await env.api.get<{ currentPhase: string; openGate: unknown[]; lastActions: Array<{ summary: string }> }>(`/api/v1/sessions/${enc(key)}/briefing`)).body;
      const actions = briefing.lastActions.map((a) => `  - ${a.summary}`).join('\n');
      return { headline: `Resumed ${key} in ${briefing.currentPhase}; ${briefing.openGate.length} item(s) open in this phase.${actions ? `\nLast actions:\n${actions}` : ''}`, body: briefing };
    },
  },
  sessionCommand('phase_complete', 'phase-complete', 'Complete the current phase and move to the next. A gate that is not met answers with each missing artifact or field; override (with a reason) only if your role allows it.', PhaseCompleteBody),
  sessionCommand('session_end', 'end', 'End the session (from CLOSE; force with a reason otherwise).', EndSessionBody),
  sessionCommand('note', 'notes', 'Add a note to the session: a decision, a finding, something the next agent should know.', NoteBody),
  sessionCommand('update', 'progress', 'Record progress on the task (text, optional percent). `done` needs at least one.', ProgressBody),
  sessionCommand('artifact', 'artifacts', 'Register an artifact of the current phase (e.g. PLAN.md): its content (≤ 256 KB), or a uri with its sha256.', ArtifactBody),
  {
    name: 'bug_log',
    description: 'Log an error you hit. The same error from anyone groups into one bug; the answer says whether it is new, recurring or a regression. Task and session default to your current ones.',
    input: { ...LogBugBody.shape },
    async run(args, env) {
      const ctx = args.taskCode && args.sessionKey ? undefined : await context(env).catch(() => undefined);
      const body = { ...args, taskCode: args.taskCode ?? ctx?.taskCode ?? undefined, sessionKey: args.sessionKey ?? ctx?.sessionKey ?? undefined, agentId: args.agentId ?? env.agentId };
      const res = await env.api.post<{ outcome: string; bug: { bugHash?: string; hash?: string; occurrenceCount: number } }>('/api/v1/bugs', JSON.parse(JSON.stringify(body)));
      return { headline: `Bug ${res.body.outcome} (${res.body.bug.occurrenceCount} occurrence(s))`, body: res.body };
    },
  },
  {
    name: 'context_search',
    description: 'Search everything that happened (events, notes, bugs, commits) in a scope: SESSION, TASK, SPRINT or PROJECT. Web-search syntax: "quoted phrases", -exclude. With no scope, searches your current session.',
    input: { ...SearchQuery.shape, scope: SearchQuery.shape.scope.optional() },
    async run(args, env) {
      let { scope, id } = args as { scope?: string; id?: string };
      if (!scope) {
        const ctx = await context(env).catch(() => undefined);
        [scope, id] = ctx?.sessionKey ? ['SESSION', ctx.sessionKey] : ctx?.taskCode ? ['TASK', ctx.taskCode] : ['PROJECT', undefined];
      }
      const res = await env.api.get<{ items: Array<{ type: string; snippet: string }> }>('/api/v1/search', { ...(args as Record<string, string>), scope, id });
      const hits = res.body.items;
      return { headline: `${hits.length} result(s) in ${scope}${id ? ` ${id}` : ''}${hits.length ? ':\n' + hits.slice(0, 10).map((h) => `  - ${h.type}: ${(h.snippet ?? '').replace(/\s+/g, ' ').slice(0, 160)}`).join('\n') : ''}`, body: res.body };
    },
  },
  {
    name: 'next_task',
    description: 'The highest-priority READY task you can do (by your capabilities), or why there is none.',
    input: { agent: AgentId.optional().describe('Agent id; omitted = this server\'s agent (ORCH_AGENT_ID)') },
    async run(args, env) {
      const agent = (args.agent as string | undefined) ?? env.agentId;
      if (!agent) throw new Error('No agent id: pass agent, or set ORCH_AGENT_ID for this MCP server.');
      const res = await env.api.get<{ task: { code: string; title: string } | null; reason: string }>('/api/v1/tasks/next', { agent });
      return { headline: res.body.task ? `Next: ${res.body.task.code} ${res.body.task.title} (${res.body.reason})` : `Nothing to take: ${res.body.reason}`, body: res.body };
    },
  },
  {
    name: 'task_status',
    description: 'A task as it stands: status, assignee, estimate, dependencies, its session state. With no taskCode, your current task.',
    input: { taskCode: TaskCode.optional() },
    async run(args, env) {
      const code = await currentTask(args, env);
      const res = await env.api.get<{ code: string; status: string; title: string }>(`/api/v1/tasks/${enc(code)}`);
      return { headline: `${res.body.code} ${res.body.title}: ${res.body.status}`, body: res.body };
    },
  },
  {
    name: 'heartbeat',
    description: 'Tell the Orchestrator you are alive (every few seconds while working), with your load and optional progress. Missing heartbeats make you STALE, then LOST (your tasks go to others).',
    input: { agentId: AgentId.optional(), ...HeartbeatBody.shape },
    async run(args, env) {
      const id = (args.agentId as string | undefined) ?? env.agentId;
      if (!id) throw new Error('No agent id: pass agentId, or set ORCH_AGENT_ID for this MCP server.');
      const { agentId: _id, ...beat } = args;
      const res = await env.api.post<{ status?: string }>(`/api/v1/agents/${enc(id)}/heartbeat`, beat);
      return { headline: `Heartbeat recorded for ${id}${res.body?.status ? ` (${res.body.status})` : ''}`, body: res.body };
    },
  },
];
