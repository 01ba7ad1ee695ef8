import { z } from 'zod';
import {
  AddTurnBody,
  ArtifactBody,
  EndSessionBody,
  NoteBody,
  PhaseCompleteBody,
  ProgressBody,
  PutStateBody,
  ResumeSessionBody,
  StartSessionBody,
  StateEntryQuery,
  StateKey,
} from '@orch/contracts';
import { ok, type Schema } from '../client';
import { at, context, currentTask, sessionCommand, sessionKey, withoutKey, type ToolSpec } from './tool-kit';

/** The tools of a session: start, resume, phases, notes, progress, artifacts, state and conversation. */
export const SESSION_TOOLS: ToolSpec[] = [
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
];
