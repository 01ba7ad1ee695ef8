import { z } from 'zod';
import {
  AddTurnBody,
  AgentId,
  ArtifactBody,
  EndSessionBody,
  HeartbeatBody,
  LogBugBody,
  NextTaskQuery,
  NoteBody,
  PhaseCompleteBody,
  ProgressBody,
  PutStateBody,
  ResumeSessionBody,
  SearchQuery,
  SessionKey,
  StartSessionBody,
  StateEntryQuery,
  StateKey,
  TaskCode,
} from '@orch/contracts';
import { ok, type GatewayClient, type Schema } from '../client';

/** What a tool needs besides its arguments. */
export interface ToolEnv {
  api: GatewayClient;
  /** The agent this server speaks for (ORCH_AGENT_ID, else the agent its key was issued to), used when a tool names none. */
  agentId?: string;
  /**
   * The phase each session was in when this server last answered about it. phase_complete sends it,
   * so a call made on a phase that another call (or agent) has since completed is refused with
   * SESSION.PHASE_MOVED instead of completing the next phase the agent has not seen.
   */
  phaseSeen?: Map<string, string>;
}

/** Notes the phase of the session an answer shows: a session answer's `session`, or a briefing's header and `currentPhase`. */
export function notePhaseSeen(env: ToolEnv, body: unknown): void {
  const answer = body as { session?: { sessionKey?: unknown; currentPhase?: unknown }; currentPhase?: unknown } | null;
  const key = answer?.session?.sessionKey;
  const phase = answer?.session?.currentPhase ?? answer?.currentPhase;
  if (typeof key === 'string' && typeof phase === 'string') (env.phaseSeen ??= new Map()).set(key, phase);
}

/** next_task and heartbeat act for one agent; say how to name it rather than send a request the gateway must refuse. */
function agentOf(given: unknown, env: ToolEnv, arg: string): string {
  const id = (given as string | undefined) ?? env.agentId;
  if (!id) throw new Error(`No agent id: this server's ORCH_API_KEY is not an agent's own key (agt_…), so set ORCH_AGENT_ID=<your agent id> in its env, or pass ${arg}.`);
  return id;
}

export interface ToolSpec {
  name: string;
  description: string;
  /** Input fields, taken from the API's own contracts in libs/contracts (no second copy). */
  input: z.ZodRawShape;
  run(args: Record<string, unknown>, env: ToolEnv): Promise<{ headline: string; body: unknown }>;
}

const sessionKey = { sessionKey: SessionKey.optional().describe('The session; omitted = your current session') };

/** The tool's arguments without `sessionKey`: the body of the session route. */
function withoutKey(args: Record<string, unknown>): Record<string, unknown> {
  const { sessionKey: _key, ...rest } = args;
  return rest;
}

/** The caller's current context, from the server (the same one the CLI and `/me` routes use). */
async function context(env: ToolEnv): Promise<Schema<'MeContext'>> {
  return ok(env.api.api.GET('/api/v1/me/context'));
}

async function currentTask(args: Record<string, unknown>, env: ToolEnv): Promise<string> {
  const code = (args.taskCode as string | undefined) ?? (await context(env)).taskCode;
  if (!code) throw new Error('No task given and none is current: pass taskCode (see next_task for one to take).');
  return code;
}

type SessionAnswer = { session?: { sessionKey: string; currentPhase: string }; outcome?: string | null };
/**
 * Calls a session route: `/sessions/{key}/…` when a key is given, else `/me/…` (the caller's
 * current session). Both routes are spelled out per tool so the compiler checks them; `body` is
 * the tool's arguments, which the MCP server has already checked against the same contract.
 */
type SessionCall = (api: GatewayClient['api'], key: string | undefined, body: never) => Promise<{ data?: SessionAnswer; error?: unknown; response: Response }>;

const sessionCommand = (name: string, description: string, body: z.ZodObject, call: SessionCall): ToolSpec => ({
  name,
  description,
  input: { ...sessionKey, ...body.shape },
  async run(args, env) {
    const reply = await ok(call(env.api.api, typeof args.sessionKey === 'string' ? args.sessionKey : undefined, withoutKey(args) as never));
    const s = reply.session;
    return { headline: s ? `${name}: session ${s.sessionKey} is in ${s.currentPhase}${reply.outcome ? ` (${reply.outcome})` : ''}` : `${name}: done`, body: reply };
  },
});

const at = (key: string) => ({ params: { path: { key } } });

export const TOOLS: ToolSpec[] = [
  {
    name: 'session_start',
    description: 'Start working on a task: opens its session (or returns its ACTIVE one, or resumes a SUSPENDED one with a briefing). With no taskCode, uses your current task.',
    input: { ...StartSessionBody.partial().shape },
    async run(args, env) {
      const taskCode = await currentTask(args, env);
      const agentId = (args.agentId as string | undefined) ?? env.agentId;
      const reply = await ok(env.api.api.POST('/api/v1/sessions', { body: { taskCode, ...(agentId ? { agentId } : {}) } }));
      return { headline: `Session ${reply.session.sessionKey} ${reply.outcome} on ${taskCode}, phase ${reply.session.currentPhase}`, body: reply };
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
      const body = { ...(withoutKey(args) as Schema<'ResumeSessionBody'>), ...(agentId ? { agentId } : {}) };
      await ok(env.api.api.POST('/api/v1/sessions/{key}/resume', { ...at(key), body }));
      const briefing = await ok(env.api.api.GET('/api/v1/sessions/{key}/briefing', at(key)));
      const actions = briefing.lastActions.map((a) => `  - ${a.summary}`).join('\n');
      return { headline: `Resumed ${key} in ${briefing.currentPhase}; ${briefing.openGate.length} item(s) open in this phase.${actions ? `\nLast actions:\n${actions}` : ''}`, body: briefing };
    },
  },
  {
    name: 'phase_complete',
    description:
      'Complete the current phase and move to the next. A gate that is not met answers with each missing artifact or field; override (with a reason) only if your role allows it. It completes the phase you last saw; if the session has moved on since, it says so instead.',
    input: { ...sessionKey, ...PhaseCompleteBody.shape },
    async run(args, env) {
      const key = (args.sessionKey as string | undefined) ?? (await context(env)).sessionKey;
      if (!key) throw new Error('No current session: call session_start first, or pass sessionKey.');
      const body = withoutKey(args) as Schema<'PhaseCompleteBody'>;
      const seen = env.phaseSeen?.get(key) as Schema<'PhaseCompleteBody'>['phase'];
      const reply = await ok(env.api.api.POST('/api/v1/sessions/{key}/phase-complete', { ...at(key), body: { ...body, phase: body.phase ?? seen } }));
      const s = reply.session;
      return { headline: `phase_complete: session ${s.sessionKey} is in ${s.currentPhase}${reply.outcome ? ` (${reply.outcome})` : ''}`, body: reply };
    },
  },
  sessionCommand('session_end', 'End the session (from CLOSE; force with a reason otherwise).', EndSessionBody, (api, key, body: Schema<'EndSessionBody'>) =>
    key ? api.POST('/api/v1/sessions/{key}/end', { ...at(key), body }) : api.POST('/api/v1/me/end', { body }),
  ),
  sessionCommand('note', 'Add a note to the session: a decision, a finding, something the next agent should know.', NoteBody, (api, key, body: Schema<'NoteBody'>) =>
    key ? api.POST('/api/v1/sessions/{key}/notes', { ...at(key), body }) : api.POST('/api/v1/me/notes', { body }),
  ),
  sessionCommand('update', 'Record progress on the task (text, optional percent). `done` needs at least one.', ProgressBody, (api, key, body: Schema<'ProgressBody'>) =>
    key ? api.POST('/api/v1/sessions/{key}/progress', { ...at(key), body }) : api.POST('/api/v1/me/progress', { body }),
  ),
  sessionCommand('artifact', 'Register an artifact of the current phase (e.g. PLAN.md): its content (≤ 256 KB), or a uri with its sha256.', ArtifactBody, (api, key, body: Schema<'ArtifactBody'>) =>
    key ? api.POST('/api/v1/sessions/{key}/artifacts', { ...at(key), body }) : api.POST('/api/v1/me/artifacts', { body }),
  ),
  {
    name: 'state_set',
    description:
      'Keep a value in the session: shared (every agent on it, and whoever takes over), private (only you) or temporary (gone after ttlSeconds). Pass ifVersion to write only if nobody changed it since you read it.',
    input: { ...sessionKey, name: StateKey, ...PutStateBody.shape, ifVersion: z.number().int().min(0).optional().describe('Write only if the entry is still at this version (its ETag)') },
    async run(args, env) {
      const { sessionKey: key, name, ifVersion, ...body } = args as Schema<'PutStateBody'> & { sessionKey?: string; name: string; ifVersion?: number };
      const headers = ifVersion === undefined ? {} : { headers: { 'if-match': `"${ifVersion}"` } };
      const reply = await ok(
        key
          ? env.api.api.PUT('/api/v1/sessions/{key}/state/{name}', { params: { path: { key, name } }, body, ...headers })
          : env.api.api.PUT('/api/v1/me/state/{name}', { params: { path: { name } }, body, ...headers }),
      );
      return { headline: `${name} (${reply.scope}) is at version ${reply.version} in ${reply.sessionKey}`, body: reply };
    },
  },
  {
    name: 'state_get',
    description: 'Read a value kept in the session (shared by default; private reads yours). Its version is what state_set takes as ifVersion.',
    input: { ...sessionKey, name: StateKey, ...StateEntryQuery.shape },
    async run(args, env) {
      const { sessionKey: key, name, ...query } = args as Schema<'StateEntry'> & { sessionKey?: string; name: string; scope?: Schema<'StateEntry'>['scope']; agent?: string };
      const q = { scope: query.scope, agent: query.agent };
      const entry = await ok(
        key
          ? env.api.api.GET('/api/v1/sessions/{key}/state/{name}', { params: { path: { key, name }, query: q } })
          : env.api.api.GET('/api/v1/me/state/{name}', { params: { path: { name }, query: q } }),
      );
      return { headline: `${name} (${entry.scope}, version ${entry.version}) = ${JSON.stringify(entry.value)}`, body: entry };
    },
  },
  {
    name: 'conversation_add',
    description: 'Record a turn of your conversation (user, assistant, system or tool) in the session, with its tokens if you know them. The last turns come back in the resume briefing.',
    input: { ...sessionKey, ...AddTurnBody.shape },
    async run(args, env) {
      const { sessionKey: key, ...body } = args as Schema<'AddTurnBody'> & { sessionKey?: string };
      const reply = await ok(
        key ? env.api.api.POST('/api/v1/sessions/{key}/conversation', { ...at(key), body }) : env.api.api.POST('/api/v1/me/conversation', { body }),
      );
      return { headline: `Turn ${reply.turn.turn} (${reply.turn.role}) recorded in ${reply.sessionKey}${reply.warnings.length ? `\n${reply.warnings.join('\n')}` : ''}`, body: reply };
    },
  },
  {
    name: 'bug_log',
    description: 'Log an error you hit. The same error from anyone groups into one bug; the answer says whether it is new, recurring or a regression. Task and session default to your current ones.',
    input: { ...LogBugBody.shape },
    async run(args, env) {
      const ctx = args.taskCode && args.sessionKey ? undefined : await context(env).catch(() => undefined);
      const given = args as Schema<'LogBugBody'>;
      const body = { ...given, taskCode: given.taskCode ?? ctx?.taskCode ?? undefined, sessionKey: given.sessionKey ?? ctx?.sessionKey ?? undefined, agentId: given.agentId ?? env.agentId };
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
