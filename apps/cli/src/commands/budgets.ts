import { InvalidArgumentError, type Command } from 'commander';
import { BudgetScope } from '@orch/contracts';
import { ok, type Schema } from '../client';
import { printJson, table, type Style } from '../output';
import { examples, jsonOption, oneOf, sessionOrCurrent, UsageError, type CommandContext } from './context';

type Json = { json?: boolean };
type Amounts = { tokens?: number; costUsd?: number; wallSeconds?: number };
type Limits = { [K in keyof Amounts]?: number | 'none' };

/** A number ≥ 0 for a budget flag (`--tokens 5000`, `--cost-usd 2.5`). */
function amount(input: string): number {
  const n = Number(input);
  if (input.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number of 0 or more');
  return n;
}

/** A limit: a number > 0, or `none` to remove it (not null: commander would turn that into ''). */
function limit(input: string): number | 'none' {
  if (input === 'none') return 'none';
  const n = amount(input);
  if (n === 0) throw new InvalidArgumentError('must be more than 0 (`none` removes the limit)');
  return n;
}

const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

export function budgetText(b: Schema<'BudgetView'>, style: Style): string {
  const rows = (['tokens', 'costUsd', 'wallSeconds'] as const).map((d) => {
    const v = b.dimensions[d];
    const over = b.exceeded.includes(d);
    return [d, v.used, v.limit ?? 'none', v.percent === null ? '' : `${v.percent}%`, over ? style.red('exceeded') : v.thresholdsCrossed.length ? style.yellow(`crossed ${v.thresholdsCrossed.join(', ')}%`) : ''];
  });
  return `budget of ${b.scope} ${b.id} (version ${b.version})\n${table(['DIMENSION', 'USED', 'LIMIT', 'PERCENT', ''], rows, style)}`;
}

/**
 * `orch budget show|set|usage` (what a session or a workflow may spend, and what it spent) and
 * `orch resources` (the hosts spawned agents run on). The session defaults to the current one.
 */
export function budgetCommands(program: Command, ctx: CommandContext, env: NodeJS.ProcessEnv = process.env): void {
  const api = () => ctx.client().api;
  const style = () => ctx.style('stdout');
  const target = (scope: BudgetScope, id?: string) => {
    if (scope === 'session') return { params: { path: { scope, id: sessionOrCurrent(env, id, 'name one (orch budget show session sess_…)') } } };
    if (!id) throw new UsageError('name the workflow (WFL-…)');
    return { params: { path: { scope, id } } };
  };
  const scopeArg = (c: Command) => c.argument('<scope>', BudgetScope.options.join('|'), oneOf(BudgetScope.options)).argument('[id]', 'session key or workflow id (a session defaults to the current one)');

  const budget = examples(
    program.command('budget').description('what a session or a workflow may spend (tokens, cost, wall time) and what it spent; 80 % and 100 % are events'),
    'orch budget show session',
    'orch budget set workflow WFL-0A1B2C3D4E --cost-usd 25 --tokens 2000000',
    'orch budget usage session --tokens 1200 --cost-usd 0.02',
  );

  examples(jsonOption(scopeArg(budget.command('show').description('limits, use and thresholds crossed'))), 'orch budget show session', 'orch budget show workflow WFL-0A1B2C3D4E --json').action(
    async (scope: BudgetScope, id: string | undefined, opts: Json) => {
      const b = await ok(api().GET('/api/v1/budgets/{scope}/{id}', target(scope, id)));
      if (opts.json) return printJson(ctx.io, b);
      ctx.io.stdout.write(budgetText(b, style()));
    },
  );

  examples(
    jsonOption(scopeArg(budget.command('set').description('replace the limits (admins); a dimension left out is not limited'))),
    'orch budget set session --tokens 500000 --cost-usd 5',
    'orch budget set workflow WFL-0A1B2C3D4E --wall-seconds 7200 --cost-usd none',
  )
    .option('--tokens <n>', 'token limit, or none', limit)
    .option('--cost-usd <n>', 'cost limit in USD, or none', limit)
    .option('--wall-seconds <n>', 'wall-time limit in seconds, or none', limit)
    .action(async (scope: BudgetScope, id: string | undefined, opts: Json & Limits) => {
      const or = (v: number | 'none' | undefined) => (v === 'none' ? null : v);
      const body = defined({ tokens: or(opts.tokens), costUsd: or(opts.costUsd), wallSeconds: or(opts.wallSeconds) });
      if (Object.keys(body).length === 0) throw new UsageError('name at least one of --tokens, --cost-usd, --wall-seconds');
      const b = await ok(api().PUT('/api/v1/budgets/{scope}/{id}', { ...target(scope, id), body }));
      if (opts.json) return printJson(ctx.io, b);
      ctx.io.stdout.write(budgetText(b, style()));
    });

  examples(
    jsonOption(scopeArg(budget.command('usage').description('report what was used since the last report (added to the totals)'))),
    'orch budget usage session --tokens 1200 --cost-usd 0.02',
    'orch budget usage workflow WFL-0A1B2C3D4E --wall-seconds 60 --json',
  )
    .option('--tokens <n>', 'tokens used', amount)
    .option('--cost-usd <n>', 'cost in USD', amount)
    .option('--wall-seconds <n>', 'wall time in seconds', amount)
    .action(async (scope: BudgetScope, id: string | undefined, opts: Json & Amounts) => {
      const body = defined({ tokens: opts.tokens, costUsd: opts.costUsd, wallSeconds: opts.wallSeconds });
      if (Object.keys(body).length === 0) throw new UsageError('report at least one of --tokens, --cost-usd, --wall-seconds');
      const reply = await ok(api().POST('/api/v1/budgets/{scope}/{id}/usage', { ...target(scope, id), body }));
      if (opts.json) return printJson(ctx.io, reply);
      const crossed = reply.crossed.map((c) => `${style().yellow(`crossed ${c.percent}%`)} of ${c.dimension}\n`).join('');
      ctx.io.stdout.write(budgetText(reply, style()) + crossed);
    });

  examples(jsonOption(program.command('resources').description('the hosts spawned agents run on: capacity, use, per sprint, and the live allocations')), 'orch resources', 'orch resources --json').action(
    async (opts: Json) => {
      const r = await ok(api().GET('/api/v1/resources'));
      if (opts.json) return printJson(ctx.io, r);
      const fmt = (a: Schema<'ResourcesView'>['total']['used']) => `${a.cpu} cpu, ${a.memoryMb} MB, ${a.gpu} gpu`;
      const hosts = r.hosts.map((h) => [h.id, h.source, fmt(h.capacity), fmt(h.used), fmt(h.free), h.allocations]);
      const sprints = r.sprints.map((s) => [s.sprintCode ?? '(none)', fmt(s.used), s.quota ? `${s.quota.cpu ?? '-'} cpu, ${s.quota.memoryMb ?? '-'} MB, ${s.quota.gpu ?? '-'} gpu` : '', s.allocations]);
      ctx.io.stdout.write(
        `policy ${r.policy}; free ${fmt(r.total.free)} of ${fmt(r.total.capacity)}\n` +
          table(['HOST', 'SOURCE', 'CAPACITY', 'USED', 'FREE', 'AGENTS'], hosts, style()) +
          (sprints.length ? table(['SPRINT', 'USED', 'QUOTA', 'AGENTS'], sprints, style()) : ''),
      );
    },
  );
}
