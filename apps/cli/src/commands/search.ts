import type { Command } from 'commander';
import type { SearchHit, SearchResult, SearchScope } from '@orch/contracts';
import { ok } from '../client';
import { readContext, type CliContext } from '../context-store';
import { printJson, table } from '../output';
import { examples, jsonOption, oneOf, positiveInt, UsageError, type CommandContext } from './context';

const SCOPES = ['session', 'task', 'sprint', 'project'] as const;
const CONTEXT_KEY: Record<Exclude<SearchScope, 'PROJECT'>, keyof CliContext> = { SESSION: 'sessionKey', TASK: 'taskCode', SPRINT: 'sprintCode' };

interface SearchOpts {
  scope?: string;
  id?: string;
  limit?: number;
  summary?: boolean;
  cache: boolean;
  json?: boolean;
}

/** `5 s ago`, `3 min ago`, `2 h ago`, `4 d ago`: how long ago, for people. */
export function timeAgo(iso: string, now: Date = new Date()): string {
  const s = Math.max(0, Math.round((now.getTime() - new Date(iso).getTime()) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3_600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3_600)} h ago`;
  if (s < 86_400 * 60) return `${Math.floor(s / 86_400)} d ago`;
  return `${Math.floor(s / (86_400 * 30))} mo ago`;
}

/** The snippet with its «matches» in bold for a terminal, or left marked for a pipe. */
export function highlight(snippet: string, colour: boolean): string {
  const flat = snippet.replace(/\s+/g, ' ').trim();
  return colour ? flat.replace(/«([^»]*)»/g, '\u001b[1;33m$1\u001b[0m') : flat;
}

/**
 * `orch context-search Q [--scope session|task|sprint|project] [--id ID]`: the history of the
 * current session, task or sprint (ids from the current context when not given), or the project.
 */
export function searchCommand(program: Command, ctx: CommandContext, env: NodeJS.ProcessEnv): void {
  examples(
    jsonOption(
      program
        .command('context-search')
        .description('search the history of a session, task, sprint or the project ("phrases", -exclude, file paths, event types)')
        .argument('<query>'),
    ),
    'orch context-search "theme -test"',
    'orch context-search migration --scope task --summary',
    'orch context-search "ECONNREFUSED" --scope sprint --id SPR-001 --limit 5 --json',
  )
    .option('--scope <scope>', `${SCOPES.join('|')} (default: project)`, oneOf(SCOPES))
    .option('--id <id>', 'session key, task code or sprint code (default: the current one from `orch` context)')
    .option('--limit <n>', 'at most n results (1-100, default 20)', positiveInt)
    .option('--summary', 'also show counts by event type and the time span')
    .option('--no-cache', 'compute afresh instead of using a cached answer')
    .action(async (q: string, opts: SearchOpts) => {
      if (q.trim() === '') throw new UsageError('the query must not be empty');
      const scope = (opts.scope ?? 'project').toUpperCase() as SearchScope;
      const id = scope === 'PROJECT' ? undefined : (opts.id ?? currentId(scope, env));
      const query = { q, scope, id, limit: opts.limit, summary: opts.summary ? ('true' as const) : undefined, noCache: opts.cache ? undefined : ('true' as const) };
      const body = await ok(ctx.client().api.GET('/api/v1/search', { params: { query } }));
      if (opts.json) return printJson(ctx.io, body);
      ctx.io.stdout.write(render(body, ctx.style('stdout').enabled));
    });
}

function currentId(scope: Exclude<SearchScope, 'PROJECT'>, env: NodeJS.ProcessEnv): string {
  const id = readContext(env)[CONTEXT_KEY[scope]];
  if (!id) throw new UsageError(`--id is required for --scope ${scope.toLowerCase()}: there is no current ${scope.toLowerCase()} in the orch context`);
  return id;
}

export function render(r: SearchResult, colour: boolean, now: Date = new Date()): string {
  const where = r.scope === 'PROJECT' ? 'the project' : `${r.scope.toLowerCase()} ${r.id}`;
  const lines = [`${r.items.length === 0 ? 'no results' : `${r.items.length} result${r.items.length === 1 ? '' : 's'}`} for "${r.q}" in ${where}${r.cached ? ' (cached)' : ''}`];
  if (r.plan === 'empty' && r.parsed === '') lines.push('(the query has only stop-words; try more specific words)');
  // Older matches of a large scope were not ranked: say so, so that a missing old event is no surprise.
  if (r.plan === 'newest-window' && r.window) lines.push(`(a large scope: ranked its newest ${r.ranked ?? r.window} matches; narrow the scope to reach older ones)`);
  for (const hit of r.items) lines.push('', `${timeAgo(hit.occurredAt, now).padEnd(10)} ${hit.type}  ${scopeOf(hit)}`, `  ${highlight(hit.snippet || '(no text)', colour)}`);
  if (r.summary) {
    const s = r.summary;
    lines.push('', `summary: ${s.total} events${s.firstAt ? ` from ${s.firstAt} to ${s.lastAt}` : ''}`);
    if (s.byType.length) lines.push(table(['TYPE', 'COUNT', 'LAST'], s.byType.map((t) => [t.type, t.count, timeAgo(t.lastAt, now)])).trimEnd());
  }
  return `${lines.join('\n')}\n`;
}

function scopeOf(hit: SearchHit): string {
  return [hit.taskCode, hit.sessionKey ?? (hit.aggregateType === 'session' ? hit.aggregateId : null), hit.aggregateType === 'bug' ? `bug ${hit.aggregateId.slice(0, 12)}` : null].filter(Boolean).join('  ');
}
