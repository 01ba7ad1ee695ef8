import { z } from 'zod';
import { SessionKey } from '@orch/contracts';
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
export function agentOf(given: unknown, env: ToolEnv, arg: string): string {
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

export const sessionKey = { sessionKey: SessionKey.optional().describe('The session; omitted = your current session') };

/** The tool's arguments without `sessionKey`: the body of the session route. */
export function withoutKey(args: Record<string, unknown>): Record<string, unknown> {
  const { sessionKey: _key, ...rest } = args;
  return rest;
}

/** The caller's current context, from the server (the same one the CLI and `/me` routes use). */
export async function context(env: ToolEnv): Promise<Schema<'MeContext'>> {
  return ok(env.api.api.GET('/api/v1/me/context'));
}

export async function currentTask(args: Record<string, unknown>, env: ToolEnv): Promise<string> {
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

export const sessionCommand = (name: string, description: string, body: z.ZodObject, call: SessionCall): ToolSpec => ({
  name,
  description,
  input: { ...sessionKey, ...body.shape },
  async run(args, env) {
    const reply = await ok(call(env.api.api, typeof args.sessionKey === 'string' ? args.sessionKey : undefined, withoutKey(args) as never));
    const s = reply.session;
    return { headline: s ? `${name}: session ${s.sessionKey} is in ${s.currentPhase}${reply.outcome ? ` (${reply.outcome})` : ''}` : `${name}: done`, body: reply };
  },
});

export const at = (key: string) => ({ params: { path: { key } } });
