import type { Command } from 'commander';
import { TaskPriority, TaskStatus, type NextTaskReply, type TaskPage, type TaskView } from '@orch/contracts';
import { details, printJson, table } from '../output';
import { jsonOption, list, oneOf, positiveInt, UsageError, type CommandContext } from './context';

interface CreateOpts {
  code?: string;
  sprint?: string;
  type?: string;
  priority?: string;
  estimate?: number;
  dependsOn?: string[];
  json?: boolean;
}

interface UpdateOpts {
  status?: string;
  title?: string;
  assignee?: string;
  unassign?: boolean;
  reason?: string;
  json?: boolean;
}

/** `orch task create|list|get|update`. */
export function taskCommands(program: Command, ctx: CommandContext): void {
  const task = program.command('task').description('create, list, show and update tasks');
  const show = (opts: { json?: boolean }, t: TaskView) => (opts.json ? printJson(ctx.io, t) : ctx.io.stdout.write(taskDetails(t)));

  jsonOption(task.command('create').description('create a task').argument('<title>'))
    .option('--code <code>', 'its code, e.g. TSK-101 (default: one is generated)')
    .option('--sprint <code>', 'the sprint it belongs to, e.g. SPR-001')
    .option('--type <type>', 'feature, bug_fix, refactor, research, ...')
    .option('--priority <priority>', TaskPriority.options.join('|'), oneOf(TaskPriority.options))
    .option('--estimate <minutes>', 'estimate in minutes', positiveInt)
    .option('--depends-on <codes>', 'comma-separated task codes it waits for', list)
    .action(async (title: string, opts: CreateOpts) => {
      const body = { code: opts.code, title, sprintCode: opts.sprint, type: opts.type, priority: opts.priority, estimateMinutes: opts.estimate, dependsOn: opts.dependsOn };
      show(opts, (await ctx.client().post<TaskView>('/api/v1/tasks', body)).body);
    });

  jsonOption(task.command('list').description('list tasks'))
    .option('--sprint <code>', 'only tasks of this sprint')
    .option('--status <status>', TaskStatus.options.join('|'), oneOf(TaskStatus.options))
    .option('--assignee <agent>', 'only tasks assigned to this agent')
    .option('--limit <n>', 'at most n tasks', positiveInt)
    .option('--after <code>', 'the page after this task code')
    .action(async (opts: { sprint?: string; status?: string; assignee?: string; limit?: number; after?: string; json?: boolean }) => {
      const query = { sprint: opts.sprint, status: opts.status, assignee: opts.assignee, limit: opts.limit, after: opts.after };
      const { body } = await ctx.client().get<TaskPage>('/api/v1/tasks', query);
      if (opts.json) return printJson(ctx.io, body);
      const rows = body.items.map((t) => [t.code, t.status, t.priority, t.assignee, t.sprintCode, t.title]);
      ctx.io.stdout.write(table(['CODE', 'STATUS', 'PRIORITY', 'ASSIGNEE', 'SPRINT', 'TITLE'], rows));
      if (body.nextCursor) ctx.io.stderr.write(`more: orch task list --after ${body.nextCursor}\n`);
    });

  jsonOption(task.command('get').description('show one task').argument('<code>', 'e.g. TSK-001')).action(async (code: string, opts: { json?: boolean }) => {
    show(opts, (await ctx.client().get<TaskView>(`/api/v1/tasks/${encodeURIComponent(code)}`)).body);
  });

  jsonOption(task.command('next').description('the next task an agent should take (exit 1 when there is none)').argument('<agent>', 'the agent id'))
    .option('--sprint <code>', 'only tasks of this sprint')
    .action(async (agent: string, opts: { sprint?: string; json?: boolean }) => {
      const { body } = await ctx.client().get<NextTaskReply>('/api/v1/tasks/next', { agent, sprint: opts.sprint });
      if (!body.task) ctx.setExitCode(1);
      if (opts.json) return printJson(ctx.io, body);
      if (body.task) ctx.io.stdout.write(taskDetails(body.task));
      ctx.io.stderr.write(`${body.reason}\n`);
    });

  jsonOption(task.command('update').description('change a task').argument('<code>'))
    .option('--status <status>', TaskStatus.options.join('|'), oneOf(TaskStatus.options))
    .option('--title <title>', 'a new title')
    .option('--assignee <agent>', 'assign it to this agent')
    .option('--unassign', 'remove its assignee')
    .option('--reason <text>', 'why (recorded with a status change)')
    .action(async (code: string, opts: UpdateOpts) => {
      if (opts.assignee && opts.unassign) throw new UsageError('use either --assignee or --unassign');
      const changes = { status: opts.status, title: opts.title, assignee: opts.unassign ? null : opts.assignee };
      if (Object.values(changes).every((v) => v === undefined)) throw new UsageError('name at least one change: --status, --title, --assignee or --unassign');
      const body = { ...changes, reason: opts.reason };
      show(opts, (await ctx.client().patch<TaskView>(`/api/v1/tasks/${encodeURIComponent(code)}`, body)).body);
    });
}

export function taskDetails(t: TaskView): string {
  return details([
    ['code', t.code],
    ['title', t.title],
    ['status', t.status],
    ['priority', t.priority],
    ['type', t.type],
    ['sprint', t.sprintCode],
    ['assignee', t.assignee],
    ['estimate', t.estimateMinutes === null ? null : `${t.estimateMinutes} min`],
    ['depends on', t.dependsOn],
    ['capabilities', t.requiredCapabilities],
    ['version', t.version],
    ['updated', t.updatedAt],
  ]);
}
