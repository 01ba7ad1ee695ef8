import type { Command } from 'commander';
import { TaskPriority, TaskStatus, type TaskView } from '@orch/contracts';
import { ok } from '../client';
import { details, PLAIN, printJson, table, type Style } from '../output';
import { examples, jsonOption, list, oneOf, positiveInt, UsageError, type CommandContext } from './context';

interface CreateOpts {
  code?: string;
  sprint?: string;
  type?: string;
  priority?: TaskPriority;
  estimate?: number;
  dependsOn?: string[];
  json?: boolean;
}

interface UpdateOpts {
  status?: TaskStatus;
  title?: string;
  assignee?: string;
  unassign?: boolean;
  reason?: string;
  json?: boolean;
}

/** `orch task create|list|get|update`. */
export function taskCommands(program: Command, ctx: CommandContext): void {
  const task = examples(program.command('task').description('create, list, show and update tasks'), 'orch task create "Add a theme switch" --code TSK-101 --sprint SPR-001', 'orch task list --sprint SPR-001', 'orch task update TSK-101 --status ready');
  const show = (opts: { json?: boolean }, t: TaskView) => (opts.json ? printJson(ctx.io, t) : ctx.io.stdout.write(taskDetails(t, ctx.style('stdout'))));

  examples(
    jsonOption(task.command('create').description('create a task').argument('<title>')),
    'orch task create "Add a theme switch" --code TSK-101 --sprint SPR-001',
    'orch task create "Write the migration" --priority high --estimate 90 --depends-on TSK-101,TSK-102',
  )
    .option('--code <code>', 'its code, e.g. TSK-101 (default: one is generated)')
    .option('--sprint <code>', 'the sprint it belongs to, e.g. SPR-001')
    .option('--type <type>', 'feature, bug_fix, refactor, research, ...')
    .option('--priority <priority>', TaskPriority.options.join('|'), oneOf(TaskPriority.options))
    .option('--estimate <minutes>', 'estimate in minutes', positiveInt)
    .option('--depends-on <codes>', 'comma-separated task codes it waits for', list)
    .action(async (title: string, opts: CreateOpts) => {
      const body = { code: opts.code, title, sprintCode: opts.sprint, type: opts.type, priority: opts.priority, estimateMinutes: opts.estimate, dependsOn: opts.dependsOn };
      show(opts, await ok(ctx.client().api.POST('/api/v1/tasks', { body })));
    });

  examples(jsonOption(task.command('list').description('list tasks')), 'orch task list --sprint SPR-001', 'orch task list --status in_progress --assignee coder-1', 'orch task list --after TSK-120 --limit 20 --json')
    .option('--sprint <code>', 'only tasks of this sprint')
    .option('--status <status>', TaskStatus.options.join('|'), oneOf(TaskStatus.options))
    .option('--assignee <agent>', 'only tasks assigned to this agent')
    .option('--limit <n>', 'at most n tasks', positiveInt)
    .option('--after <code>', 'the page after this task code')
    .action(async (opts: { sprint?: string; status?: TaskStatus; assignee?: string; limit?: number; after?: string; json?: boolean }) => {
      const query = { sprint: opts.sprint, status: opts.status, assignee: opts.assignee, limit: opts.limit, after: opts.after };
      const body = await ok(ctx.client().api.GET('/api/v1/tasks', { params: { query } }));
      if (opts.json) return printJson(ctx.io, body);
      const rows = body.items.map((t) => [t.code, t.status, t.priority, t.assignee, t.sprintCode, t.title]);
      ctx.io.stdout.write(table(['CODE', 'STATUS', 'PRIORITY', 'ASSIGNEE', 'SPRINT', 'TITLE'], rows, ctx.style('stdout')));
      if (body.nextCursor) ctx.io.stderr.write(`more: orch task list --after ${body.nextCursor}\n`);
    });

  examples(jsonOption(task.command('get').description('show one task').argument('<code>', 'e.g. TSK-001')), 'orch task get TSK-101', 'orch task get TSK-101 --json').action(
    async (code: string, opts: { json?: boolean }) => {
      show(opts, await ok(ctx.client().api.GET('/api/v1/tasks/{code}', { params: { path: { code } } })));
    },
  );

  examples(jsonOption(task.command('next').description('the next task an agent should take (exit 1 when there is none)').argument('<agent>', 'the agent id')), 'orch task next coder-1', 'orch task next coder-1 --sprint SPR-001 --json')
    .option('--sprint <code>', 'only tasks of this sprint')
    .action(async (agent: string, opts: { sprint?: string; json?: boolean }) => {
      const body = await ok(ctx.client().api.GET('/api/v1/tasks/next', { params: { query: { agent, sprint: opts.sprint } } }));
      if (!body.task) ctx.setExitCode(1);
      if (opts.json) return printJson(ctx.io, body);
      if (body.task) ctx.io.stdout.write(taskDetails(body.task, ctx.style('stdout')));
      ctx.io.stderr.write(`${body.reason}\n`);
    });

  examples(jsonOption(task.command('update').description('change a task').argument('<code>')), 'orch task update TSK-101 --status ready', 'orch task update TSK-101 --assignee coder-1', 'orch task update TSK-101 --status blocked --reason "waiting for the API key"')
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
      show(opts, await ok(ctx.client().api.PATCH('/api/v1/tasks/{code}', { params: { path: { code } }, body })));
    });
}

export function taskDetails(t: TaskView, style: Style = PLAIN): string {
  return details(
    [
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
    ],
    style,
  );
}
