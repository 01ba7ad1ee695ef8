import type { Command } from 'commander';
import { StateScope, TurnRole } from '@orch/contracts';
import { ok, type Schema } from '../client';
import { printJson, table } from '../output';
import { examples, jsonOption, nonNegativeInt, oneOf, positiveInt, sessionOrCurrent, UsageError, type CommandContext } from './context';
import { instructionsText } from './session-output';

type Json = { json?: boolean };
type Target = Json & { session?: string };
type Scoped = Target & { scope?: StateScope };

/** A value on the command line: JSON when it parses as JSON (`3`, `true`, `{"a":1}`), else the text itself. */
export function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** One line of a value for a table: JSON, cut short. */
const brief = (value: unknown): string => {
  const text = JSON.stringify(value) ?? 'null';
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

/** `If-Match` from `--if-version N`: the write only happens if the entry is still at version N. */
const ifMatch = (version?: number) => (version === undefined ? {} : { headers: { 'if-match': `"${version}"` } });

/**
 * `orch state …` and `orch conversation …`: a session's key/value state (shared, private to the
 * caller, or temporary) and its conversation turns. Both act on the current session unless
 * `--session` names one.
 */
export function stateCommands(program: Command, ctx: CommandContext, env: NodeJS.ProcessEnv = process.env): void {
  const sessionKey = (given?: string): string => sessionOrCurrent(env, given, 'run `orch session-start TSK-…` first (or pass --session KEY)');
  const api = () => ctx.client().api;
  const target = (c: Command) => jsonOption(c).option('--session <key>', 'the session (default: the current one)');
  const scoped = (c: Command) => target(c).option('--scope <scope>', `${StateScope.options.join('|')} (default shared)`, oneOf(StateScope.options));
  const entryText = (e: Schema<'StateEntryReply'>) =>
    `${e.removed ? 'removed' : 'set'} ${e.name} (${e.scope}${e.owner ? ` of ${e.owner}` : ''}) version ${e.version}${e.expiresAt ? `, until ${e.expiresAt}` : ''}\n` + instructionsText(e.instructions);

  const state = examples(
    program.command('state').description("a session's state: shared, private to you, or temporary (with a time to live)"),
    'orch state set approach \'{"theme": "css-variables"}\'',
    'orch state get approach',
    'orch state list --scope private',
  );

  examples(scoped(state.command('list').description('the entries you may read')), 'orch state list', 'orch state list --scope temporary --json').action(async (opts: Scoped) => {
    const list = await ok(api().GET('/api/v1/sessions/{key}/state', { params: { path: { key: sessionKey(opts.session) }, query: { scope: opts.scope } } }));
    if (opts.json) return printJson(ctx.io, list);
    const rows = list.items.map((e) => [e.name, e.scope, e.owner ?? '', e.version, brief(e.value), e.updatedBy, e.expiresAt ?? '']);
    ctx.io.stdout.write(table(['NAME', 'SCOPE', 'OWNER', 'VERSION', 'VALUE', 'BY', 'EXPIRES'], rows, ctx.style('stdout')));
  });

  examples(scoped(state.command('get').description("an entry's value (as JSON; --json for the whole entry)").argument('<name>')), 'orch state get approach', 'orch state get draft --scope private --json')
    .option('--agent <id>', "another agent's private entry (admins)")
    .action(async (name: string, opts: Scoped & { agent?: string }) => {
      const entry = await ok(api().GET('/api/v1/sessions/{key}/state/{name}', { params: { path: { key: sessionKey(opts.session), name }, query: { scope: opts.scope, agent: opts.agent } } }));
      if (opts.json) return printJson(ctx.io, entry);
      ctx.io.stdout.write(`${JSON.stringify(entry.value, null, 2)}\n`);
    });

  examples(
    scoped(state.command('set').description('set an entry; VALUE is JSON when it parses as JSON, else text').argument('<name>').argument('<value>')),
    'orch state set attempts 3',
    'orch state set approach \'{"theme": "css-variables"}\' --if-version 2',
    'orch state set lock "held by me" --scope temporary --ttl 300',
  )
    .option('--ttl <seconds>', 'time to live (scope temporary only)', positiveInt)
    .option('--if-version <n>', 'only if the entry is still at this version (else exit 4)', nonNegativeInt)
    .action(async (name: string, raw: string, opts: Scoped & { ttl?: number; ifVersion?: number }) => {
      const body = { value: parseValue(raw), scope: opts.scope ?? 'shared', ttlSeconds: opts.ttl };
      const entry = await ok(api().PUT('/api/v1/sessions/{key}/state/{name}', { params: { path: { key: sessionKey(opts.session), name } }, body, ...ifMatch(opts.ifVersion) }));
      if (opts.json) return printJson(ctx.io, entry);
      ctx.io.stdout.write(entryText(entry));
    });

  examples(scoped(state.command('rm').description('remove an entry').argument('<name>')), 'orch state rm lock --scope temporary', 'orch state rm approach --if-version 3')
    .option('--if-version <n>', 'only if the entry is still at this version (else exit 4)', nonNegativeInt)
    .action(async (name: string, opts: Scoped & { ifVersion?: number }) => {
      const entry = await ok(api().DELETE('/api/v1/sessions/{key}/state/{name}', { params: { path: { key: sessionKey(opts.session), name }, query: { scope: opts.scope } }, ...ifMatch(opts.ifVersion) }));
      if (opts.json) return printJson(ctx.io, entry);
      ctx.io.stdout.write(entryText(entry));
    });

  examples(
    target(state.command('history').description("an entry's changes, newest first (shared or private)").argument('<name>')),
    'orch state history approach',
    'orch state history draft --scope private --limit 5 --json',
  )
    .option('--scope <scope>', 'shared|private (default shared)', oneOf(['shared', 'private'] as const))
    .option('--agent <id>', "another agent's private entry (admins)")
    .option('--limit <n>', 'at most n changes', positiveInt)
    .action(async (name: string, opts: Target & { scope?: 'shared' | 'private'; agent?: string; limit?: number }) => {
      const query = { scope: opts.scope, agent: opts.agent, limit: opts.limit };
      const history = await ok(api().GET('/api/v1/sessions/{key}/state/{name}/history', { params: { path: { key: sessionKey(opts.session), name }, query } }));
      if (opts.json) return printJson(ctx.io, history);
      const rows = history.items.map((c) => [c.version, c.removed ? '(removed)' : brief(c.value), c.by, c.at]);
      ctx.io.stdout.write(table(['VERSION', 'VALUE', 'BY', 'AT'], rows, ctx.style('stdout')));
    });

  const conversation = examples(
    program.command('conversation').description("a session's conversation: the turns its agents had (the last ones are in the resume briefing)"),
    'orch conversation add assistant "I will keep the theme in CSS variables"',
    'orch conversation list --limit 10',
  );

  examples(
    target(conversation.command('add').description('record a turn').argument('<role>', TurnRole.options.join('|')).argument('<text>', "the turn's text ('-' reads it from standard input)")),
    'orch conversation add user "Make the switch remember the choice"',
    'orch conversation add assistant - --tokens-in 1200 --tokens-out 340 < reply.txt',
  )
    .option('--tokens-in <n>', 'input tokens of the turn', nonNegativeInt)
    .option('--tokens-out <n>', 'output tokens of the turn', nonNegativeInt)
    .action(async (role: string, text: string, opts: Target & { tokensIn?: number; tokensOut?: number }) => {
      const parsedRole = TurnRole.safeParse(role);
      if (!parsedRole.success) throw new UsageError(`role must be one of ${TurnRole.options.join(', ')}, got ${JSON.stringify(role)}`);
      const content = text === '-' ? await readStdin() : text;
      const tokens = opts.tokensIn !== undefined || opts.tokensOut !== undefined ? { input: opts.tokensIn ?? 0, output: opts.tokensOut ?? 0 } : undefined;
      const reply = await ok(api().POST('/api/v1/sessions/{key}/conversation', { params: { path: { key: sessionKey(opts.session) } }, body: { role: parsedRole.data, content, tokens } }));
      if (opts.json) return printJson(ctx.io, reply);
      const warnings = reply.warnings.map((w) => `warning: ${w}\n`).join('');
      ctx.io.stdout.write(`turn ${reply.turn.turn} (${reply.turn.role}) recorded in ${reply.sessionKey}\n${warnings}${instructionsText(reply.instructions)}`);
    });

  examples(target(conversation.command('list').description('the newest turns, oldest first')), 'orch conversation list', 'orch conversation list --limit 5 --before 40 --json')
    .option('--limit <n>', 'at most n turns', positiveInt)
    .option('--before <turn>', 'the turns before this turn number', positiveInt)
    .action(async (opts: Target & { limit?: number; before?: number }) => {
      const page = await ok(api().GET('/api/v1/sessions/{key}/conversation', { params: { path: { key: sessionKey(opts.session) }, query: { limit: opts.limit, before: opts.before } } }));
      if (opts.json) return printJson(ctx.io, page);
      for (const t of page.items) ctx.io.stdout.write(`#${t.turn} ${t.role} (${t.by}, ${t.phase}, ${t.at})\n${t.content}\n\n`);
      if (page.nextBefore !== null) ctx.io.stderr.write(`more: orch conversation list --before ${page.nextBefore}\n`);
    });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
