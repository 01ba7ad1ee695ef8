import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { BugStatus, type BugLogReply, type BugView } from '@orch/contracts';
import { ok } from '../client';
import { bugScope } from '../bug-scope';
import { readContext } from '../context-store';
import { details, printJson, table } from '../output';
import { examples, jsonOption, nonNegativeInt, oneOf, positiveInt, UsageError, type CommandContext } from './context';

const ACTIONS = ['fix', 'continue', 'context'] as const;
type Action = (typeof ACTIONS)[number];
const ACTION_TEXT: Record<Action, string> = { fix: 'fix it now', continue: 'log it and continue', context: 'provide more context' };

interface LogOpts {
  file?: string;
  line?: number;
  task?: string;
  stack?: string;
  session?: string;
  agent?: string;
  type?: string;
  action?: Action;
  json?: boolean;
}

/** Asks which action to take when a person is at a terminal; scripts get `continue`. */
export type Ask = (question: string) => Promise<string>;

async function askOnTerminal(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

/** `new`, `recurring (seen N times)` or `regression`, in words. */
export function outcomeLine(reply: BugLogReply): string {
  const b = reply.bug;
  const what = reply.outcome === 'new' ? 'new bug' : reply.outcome === 'recurring' ? `recurring bug (seen ${b.occurrenceCount} times)` : `REGRESSION: resolved bug is back (seen ${b.occurrenceCount} times)`;
  return `${what} ${b.hash.slice(0, 12)} [${b.category}] ${b.errorClass}: ${b.template}\n`;
}

/** `orch bug-log MSG` and `orch bugs`. */
export function bugCommands(program: Command, ctx: CommandContext, env: NodeJS.ProcessEnv = process.env, ask: Ask = askOnTerminal): void {
  examples(
    jsonOption(program.command('bug-log').description('log an error; says whether it is new, recurring or a regression').argument('<message>')),
    `orch bug-log "TypeError: Cannot read properties of undefined (reading 'theme')" --file src/theme.ts --line 12`,
    'orch bug-log "Error: connect ECONNREFUSED 127.0.0.1:5432" --task TSK-101 --stack ./stack.txt --action continue',
  )
    .option('--file <path>', 'the file it happened in')
    .option('--line <n>', 'the line', nonNegativeInt)
    .option('--task <code>', 'the task being worked on (default: the current task)')
    .option('--stack <file>', 'a file holding the stack trace')
    .option('--session <id>', 'the session (default: the current session)')
    .option('--agent <id>', 'the agent')
    .option('--type <class>', 'the error class, when the message does not start with it')
    .option('--action <action>', ACTIONS.join('|'), oneOf(ACTIONS))
    .action(async (message: string, opts: LogOpts) => {
      if (message.trim() === '') throw new UsageError('the message must not be empty');
      const stack = opts.stack ? readFileSync(opts.stack, 'utf8') : undefined;
      // Filed under the current task and session, so the bug reaches the session's resume briefing.
      const { taskCode, sessionKey } = bugScope({ taskCode: opts.task, sessionKey: opts.session }, readContext(env));
      const body = { message, file: opts.file, line: opts.line, taskCode, stack, sessionKey, agentId: opts.agent, errorType: opts.type, projectRoot: process.cwd() };
      const reply = await ok(ctx.client().api.POST('/api/v1/bugs', { body }));
      if (opts.json) return printJson(ctx.io, reply);
      ctx.io.stdout.write(outcomeLine(reply));
      for (const w of reply.warnings) ctx.io.stderr.write(`warning: ${w}\n`);
      const action = opts.action ?? (await chooseAction(ask, reply));
      ctx.io.stdout.write(`next: ${ACTION_TEXT[action]}\n`);
    });

  examples(jsonOption(program.command('bugs').description('list bugs')), 'orch bugs', 'orch bugs --task TSK-101 --status open', 'orch bugs --limit 20 --json')
    .option('--task <code>', 'only bugs this task hit')
    .option('--status <status>', BugStatus.options.join('|'), oneOf(BugStatus.options))
    .option('--limit <n>', 'at most n bugs', positiveInt)
    .action(async (opts: { task?: string; status?: BugStatus; limit?: number; json?: boolean }) => {
      const body = await ok(ctx.client().api.GET('/api/v1/bugs', { params: { query: { task: opts.task, status: opts.status, limit: opts.limit } } }));
      if (opts.json) return printJson(ctx.io, body);
      const rows = body.items.map((b: BugView) => [b.hash.slice(0, 12), b.status, b.occurrenceCount, b.category, b.lastTaskCode, b.lastSeen, `${b.errorClass}: ${b.template}`]);
      ctx.io.stdout.write(table(['BUG', 'STATUS', 'COUNT', 'CATEGORY', 'LAST TASK', 'LAST SEEN', 'ERROR'], rows, ctx.style('stdout')));
    });

  examples(jsonOption(program.command('bug').description('show one bug').argument('<hash>')), 'orch bug 3f2a9c1e0b7d', 'orch bug 3f2a9c1e0b7d --json').action(async (hash: string, opts: { json?: boolean }) => {
    const b = await ok(ctx.client().api.GET('/api/v1/bugs/{hash}', { params: { path: { hash } } }));
    if (opts.json) return printJson(ctx.io, b);
    ctx.io.stdout.write(
      details([
        ['hash', b.hash],
        ['status', b.status],
        ['error', `${b.errorClass}: ${b.template}`],
        ['category', b.category],
        ['where', b.file ? `${b.file}${b.line ? `:${b.line}` : ''}` : null],
        ['occurrences', b.occurrenceCount],
        ['regressions', b.regressionCount],
        ['first seen', b.firstSeen],
        ['last seen', b.lastSeen],
        ['tasks', b.tasks],
        ['sessions', b.sessions],
        ['agents', b.agents],
      ], ctx.style('stdout')),
    );
  });

  examples(
    program.command('bug-resolve').description('mark a bug resolved; a later occurrence is a regression').argument('<hash>'),
    'orch bug-resolve 3f2a9c1e0b7d --resolution "null check in useTheme"',
  )
    .option('--resolution <text>', 'what fixed it')
    .action(async (hash: string, opts: { resolution?: string }) => {
      const b = await ok(ctx.client().api.PATCH('/api/v1/bugs/{hash}', { params: { path: { hash } }, body: { status: 'RESOLVED', resolution: opts.resolution } }));
      ctx.io.stdout.write(`resolved ${b.hash.slice(0, 12)} after ${b.occurrenceCount} occurrences\n`);
    });
}

async function chooseAction(ask: Ask, reply: BugLogReply): Promise<Action> {
  if (!process.stdin.isTTY) return 'continue';
  const menu = reply.suggestedActions.map((a, i) => `  ${i + 1}) ${ACTION_TEXT[a]}`).join('\n');
  const answer = (await ask(`What now?\n${menu}\nchoose [1-${reply.suggestedActions.length}] (default 2): `)).trim();
  const picked = reply.suggestedActions[Number(answer) - 1] ?? ACTIONS.find((a) => a === answer);
  return picked ?? 'continue';
}
