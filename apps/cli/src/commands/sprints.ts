import type { Command } from 'commander';
import { SprintStatus, type SprintView } from '@orch/contracts';
import { ok } from '../client';
import { details, PLAIN, printJson, table, type Style } from '../output';
import { examples, jsonOption, oneOf, positiveInt, type CommandContext } from './context';

/** `orch sprint create|list`. */
export function sprintCommands(program: Command, ctx: CommandContext): void {
  const sprint = examples(program.command('sprint').description('create and list sprints'), 'orch sprint create SPR-001 "First sprint" --goal "Dark mode"', 'orch sprint list --status active');

  examples(
    jsonOption(sprint.command('create').description('create a sprint').argument('<code>', 'e.g. SPR-001').argument('<title>')),
    'orch sprint create SPR-001 "First sprint"',
    'orch sprint create SPR-002 "Billing" --goal "Invoices in PDF" --json',
  )
    .option('--goal <text>', 'what the sprint is for')
    .action(async (code: string, title: string, opts: { goal?: string; json?: boolean }) => {
      const body = await ok(ctx.client().api.POST('/api/v1/sprints', { body: { code, title, goal: opts.goal } }));
      if (opts.json) printJson(ctx.io, body);
      else ctx.io.stdout.write(sprintDetails(body, ctx.style('stdout')));
    });

  examples(jsonOption(sprint.command('list').description('list sprints')), 'orch sprint list', 'orch sprint list --status active --limit 10', 'orch sprint list --after SPR-010 --json')
    .option('--status <status>', SprintStatus.options.join('|'), oneOf(SprintStatus.options))
    .option('--limit <n>', 'at most n sprints', positiveInt)
    .option('--after <code>', 'the page after this sprint code')
    .action(async (opts: { status?: SprintStatus; limit?: number; after?: string; json?: boolean }) => {
      const body = await ok(ctx.client().api.GET('/api/v1/sprints', { params: { query: { status: opts.status, limit: opts.limit, after: opts.after } } }));
      if (opts.json) return printJson(ctx.io, body);
      ctx.io.stdout.write(table(['CODE', 'STATUS', 'TASKS', 'TITLE'], body.items.map((s) => [s.code, s.status, s.taskCount, s.title]), ctx.style('stdout')));
      if (body.nextCursor) ctx.io.stderr.write(`more: orch sprint list --after ${body.nextCursor}\n`);
    });
}

export function sprintDetails(s: SprintView, style: Style = PLAIN): string {
  return details(
    [
      ['code', s.code],
      ['title', s.title],
      ['status', s.status],
      ['goal', s.goal],
      ['tasks', s.taskCount],
      ['version', s.version],
      ['updated', s.updatedAt],
    ],
    style,
  );
}
