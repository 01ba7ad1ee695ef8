import type { Command } from 'commander';
import { SprintStatus, type SprintPage, type SprintView } from '@orch/contracts';
import { details, printJson, table } from '../output';
import { jsonOption, oneOf, positiveInt, type CommandContext } from './context';

/** `orch sprint create|list`. */
export function sprintCommands(program: Command, ctx: CommandContext): void {
  const sprint = program.command('sprint').description('create and list sprints');

  jsonOption(sprint.command('create').description('create a sprint').argument('<code>', 'e.g. SPR-001').argument('<title>'))
    .option('--goal <text>', 'what the sprint is for')
    .action(async (code: string, title: string, opts: { goal?: string; json?: boolean }) => {
      const { body } = await ctx.client().post<SprintView>('/api/v1/sprints', { code, title, goal: opts.goal });
      if (opts.json) printJson(ctx.io, body);
      else ctx.io.stdout.write(sprintDetails(body));
    });

  jsonOption(sprint.command('list').description('list sprints'))
    .option('--status <status>', SprintStatus.options.join('|'), oneOf(SprintStatus.options))
    .option('--limit <n>', 'at most n sprints', positiveInt)
    .option('--after <code>', 'the page after this sprint code')
    .action(async (opts: { status?: string; limit?: number; after?: string; json?: boolean }) => {
      const { body } = await ctx.client().get<SprintPage>('/api/v1/sprints', { status: opts.status, limit: opts.limit, after: opts.after });
      if (opts.json) return printJson(ctx.io, body);
      ctx.io.stdout.write(table(['CODE', 'STATUS', 'TASKS', 'TITLE'], body.items.map((s) => [s.code, s.status, s.taskCount, s.title])));
      if (body.nextCursor) ctx.io.stderr.write(`more: orch sprint list --after ${body.nextCursor}\n`);
    });
}

export function sprintDetails(s: SprintView): string {
  return details([
    ['code', s.code],
    ['title', s.title],
    ['status', s.status],
    ['goal', s.goal],
    ['tasks', s.taskCount],
    ['version', s.version],
    ['updated', s.updatedAt],
  ]);
}
