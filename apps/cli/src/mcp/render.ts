import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Instructions, MissingItemView } from '@orch/contracts';
import { ApiError, type ProblemItem } from '../client';

/**
 * The instructions block every session answer carries, as text an agent reads at a glance: where
 * it is, what is missing, what to do next and the commands that would do it. The same object also
 * goes out as structured content.
 */
export function instructionsText(i: Instructions | undefined): string {
  if (!i) return '';
  const lines: string[] = [];
  const c = i.contextReminder;
  if (c) lines.push(`Task ${c.activeTask} · session ${c.sessionKey} · phase ${c.phase} (${c.status}) · ${c.timeElapsed} elapsed`);
  if (i.missing?.length) lines.push('Missing before this phase can complete:', ...i.missing.map(missingLine));
  if (i.nextActions?.length) lines.push('Next:', ...i.nextActions.map((a) => `  - ${a}`));
  if (i.suggestedCommands?.length) lines.push('Suggested commands:', ...i.suggestedCommands.map((cmd) => `  $ ${cmd}`));
  return lines.join('\n');
}

const missingLine = (m: MissingItemView | ProblemItem) => `  - ${m.kind ?? 'item'} ${m.name ?? ''}${m.hint ? `: ${m.hint}` : ''}`;

/** What the service noticed but did not refuse (e.g. an override granted by role): the agent must see it. */
const warningsText = (warnings: unknown): string => (Array.isArray(warnings) && warnings.length ? ['Warnings:', ...warnings.map((w) => `  ! ${String(w)}`)].join('\n') : '');

/** A successful answer: a headline, warnings, the instructions as text, and the whole answer as structured content. */
export function ok(headline: string, body: unknown): CallToolResult {
  const reply = (isObject(body) ? body : {}) as { instructions?: Instructions; warnings?: unknown };
  const text = [headline, warningsText(reply.warnings), instructionsText(reply.instructions)].filter(Boolean).join('\n\n');
  return { content: [{ type: 'text', text }], structuredContent: isObject(body) ? body : { value: body } };
}

/** What to do about each kind of failure, so the agent's next call is a better one. */
const ADVICE: Record<number, string> = {
  0: 'The gateway did not answer: check ORCH_URL and that the Orchestrator is running.',
  400: 'Fix the arguments named above and call again.',
  401: 'The API key is missing or unknown: set ORCH_API_KEY for this MCP server.',
  403: 'This key\'s role may not do that; ask an admin, or use a key with more rights.',
  404: 'Check the id; with no id, the tool uses your current session or task (start one with session_start).',
  409: 'The state moved on (another agent or call won): read it again (session_resume) and retry if it still applies.',
  412: 'Someone changed it since you read it: read it again and retry.',
  422: 'Provide what is missing (artifact, field) and call again — or, if allowed, pass override with a reason.',
  429: 'Too many calls: wait as Retry-After says, then retry.',
  503: 'A service is unavailable right now: retry in a few seconds.',
};

/**
 * The gateway names a field as the request carried it (`body.reason`, `query.id`); the agent knows
 * it as the tool's argument (`reason`). A rule across fields (e.g. "content or a uri") is on the
 * whole body: say "arguments" rather than print a path the agent never saw.
 */
function errorLine(e: ProblemItem): string {
  const field = (e.path ?? '').replace(/^(body|query|params\.path|params)\.?/, '');
  return `  - ${field ? `argument ${field}` : 'arguments'}: ${e.message ?? 'invalid'}`;
}

/** An MCP tool error (not a protocol error): the model sees it and can act on it. */
export function failure(error: unknown): CallToolResult {
  if (!(error instanceof ApiError)) return { isError: true, content: [{ type: 'text', text: `Failed: ${(error as Error)?.message ?? String(error)}` }] };
  const p = error.problem;
  const lines = [`Error ${p.code}: ${p.detail ?? p.title ?? 'request failed'}`];
  lines.push(...(p.errors ?? []).map(errorLine));
  if (p.missing?.length) lines.push('Missing:', ...p.missing.map(missingLine));
  const advice = ADVICE[error.status] ?? (error.status >= 500 ? ADVICE[503] : undefined);
  if (advice) lines.push('', advice);
  return { isError: true, content: [{ type: 'text', text: lines.join('\n') }], structuredContent: { status: error.status, ...p } };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
