import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { PlanStatus, WorkflowStatus, type PlanAnalysis, type PlanView, type ValidateDagBody } from '@orch/contracts';
import { ok, type Schema } from '../client';
import { details, PLAIN, printJson, table, type Style } from '../output';
import { examples, jsonOption, nonNegativeInt, oneOf, positiveInt, UsageError, type CommandContext } from './context';

/** `--param key=value`, repeatable. */
function param(input: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = input.indexOf('=');
  if (eq < 1) throw new UsageError(`--param wants key=value, got "${input}"`);
  return { ...previous, [input.slice(0, eq).trim()]: input.slice(eq + 1) };
}

/** `orch plan create|list|show|validate|accept` and `orch workflow start|list|show|pause|resume|cancel`. */
export function planCommands(program: Command, ctx: CommandContext): void {
  const out = (opts: { json?: boolean }, value: unknown, human: () => string) => (opts.json ? printJson(ctx.io, value) : ctx.io.stdout.write(human()));
  const style = () => ctx.style('stdout');
  const plan = examples(
    program.command('plan').description('decompose a goal into a task DAG, check it, and accept it into a sprint'),
    'orch plan templates',
    'orch plan create feature "Let users pick a dark theme" --param feature="dark mode" --sprint SPR-001',
    'orch plan accept PLN-0A1B2C3D4E',
  );

  examples(
    jsonOption(plan.command('create').description('plan a goal with a template').argument('<template>', 'feature, bug_fix, refactor, research').argument('<goal>')),
    'orch plan create feature "Let users pick a dark theme" --param feature="dark mode" --sprint SPR-001',
    'orch plan create bug_fix "Login fails after a password reset" --agents 3 --json',
  )
    .option('--param <key=value>', 'a template parameter (repeatable), e.g. --param feature="dark mode"', param)
    .option('--sprint <code>', 'the sprint its tasks will go to when accepted')
    .option('--agents <n>', 'agents the wall-clock estimate assumes', positiveInt)
    .action(async (template: string, goal: string, opts: { param?: Record<string, string>; sprint?: string; agents?: number; json?: boolean }) => {
      const body = { template, goal, params: opts.param, sprintCode: opts.sprint, agents: opts.agents };
      const p = await ok(ctx.client().api.POST('/api/v1/plans', { body }));
      out(opts, p, () => planText(p, style()));
    });

  examples(jsonOption(plan.command('templates').description('list the plan templates and their parameters')), 'orch plan templates', 'orch plan templates --json').action(async (opts: { json?: boolean }) => {
    const list = await ok(ctx.client().api.GET('/api/v1/plans/templates'));
    out(opts, list, () =>
      table(
        ['TEMPLATE', 'TASKS', 'PARAMETERS', 'DESCRIPTION'],
        list.items.map((t) => [t.name, t.taskCount, t.params.map((p) => (p.required ? `${p.name} (required)` : `${p.name}=${p.default ?? ''}`)).join(', '), t.description]),
        style(),
      ),
    );
  });

  examples(jsonOption(plan.command('list').description('list plans, newest first')), 'orch plan list', 'orch plan list --sprint SPR-001 --status proposed', 'orch plan list --limit 10 --json')
    .option('--sprint <code>', 'only plans for this sprint')
    .option('--status <status>', PlanStatus.options.join('|'), oneOf(PlanStatus.options))
    .option('--limit <n>', 'at most n plans', positiveInt)
    .option('--after <cursor>', 'the page after this one (the cursor the previous page printed)')
    .action(async (opts: { sprint?: string; status?: PlanStatus; limit?: number; after?: string; json?: boolean }) => {
      const query = { sprint: opts.sprint, status: opts.status, limit: opts.limit, after: opts.after };
      const page = await ok(ctx.client().api.GET('/api/v1/plans', { params: { query } }));
      if (opts.json) return printJson(ctx.io, page);
      const rows = page.items.map((p) => [p.id, p.status, p.sprintCode, p.template, p.taskCount, `${p.criticalPathMinutes}m`, p.createdAt.slice(0, 16).replace('T', ' '), p.goal]);
      ctx.io.stdout.write(table(['PLAN', 'STATUS', 'SPRINT', 'TEMPLATE', 'TASKS', 'CRIT PATH', 'CREATED (UTC)', 'GOAL'], rows, style()));
      if (page.nextCursor) ctx.io.stderr.write(`more: orch plan list --after ${page.nextCursor}\n`);
    });

  examples(jsonOption(plan.command('show').description('show a plan').argument('<id>', 'e.g. PLN-0A1B2C3D4E')), 'orch plan show PLN-0A1B2C3D4E', 'orch plan show PLN-0A1B2C3D4E --json').action(
    async (id: string, opts: { json?: boolean }) => {
      const p = await ok(ctx.client().api.GET('/api/v1/plans/{id}', { params: { path: { id } } }));
      out(opts, p, () => planText(p, style()));
    },
  );

  examples(
    jsonOption(plan.command('validate').description('check a DAG from a JSON file ({"tasks": [...]} or an array); exit 1 when invalid').argument('<file>')),
    'orch plan validate dag.json',
    'orch plan validate dag.json --agents 4 --json',
  )
    .option('--agents <n>', 'agents for the wall-clock estimate', positiveInt)
    .action(async (file: string, opts: { agents?: number; json?: boolean }) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(file, 'utf8'));
      } catch (error) {
        throw new UsageError(`${file}: ${(error as Error).message}`);
      }
      // The file is sent as it is: the gateway checks it and names each wrong field (exit 1).
      const body = (Array.isArray(parsed) ? { tasks: parsed, agents: opts.agents } : { ...(parsed as object), ...(opts.agents ? { agents: opts.agents } : {}) }) as ValidateDagBody;
      const a = await ok(ctx.client().api.POST('/api/v1/plans/validate', { body }));
      out(opts, a, () => analysisText(a, style()));
      if (!a.valid) ctx.setExitCode(1);
    });

  examples(jsonOption(plan.command('accept').description("create a plan's tasks in a sprint (idempotent)").argument('<id>')), 'orch plan accept PLN-0A1B2C3D4E', 'orch plan accept PLN-0A1B2C3D4E --sprint SPR-002')
    .option('--sprint <code>', "the sprint (default: the plan's)")
    .action(async (id: string, opts: { sprint?: string; json?: boolean }) => {
      const p = await ok(ctx.client().api.POST('/api/v1/plans/{id}/accept', { params: { path: { id } }, body: { sprintCode: opts.sprint } }));
      out(opts, p, () => `accepted ${p.id} into ${p.sprintCode}: ${p.tasks.length} tasks\n` + table(['TASK', 'PLAN ID', 'TITLE'], p.tasks.map((t) => [t.taskCode, t.id, t.title]), style()));
    });

  const workflow = examples(
    program.command('workflow').description('run an accepted plan or a sprint: readiness, retries, pause'),
    'orch workflow start --plan PLN-0A1B2C3D4E',
    'orch workflow show WFL-0A1B2C3D4E',
    'orch workflow pause WFL-0A1B2C3D4E --reason "release freeze"',
  );
  examples(jsonOption(workflow.command('start').description('start a workflow')), 'orch workflow start --plan PLN-0A1B2C3D4E', 'orch workflow start --sprint SPR-001 --max-attempts 3 --backoff 5000')
    .option('--plan <id>', 'an accepted plan')
    .option('--sprint <code>', 'or a sprint')
    .option('--max-attempts <n>', 'runs of a task before it is BLOCKED', positiveInt)
    .option('--backoff <ms>', 'delay before the first retry (doubles each time)', nonNegativeInt)
    .action(async (opts: { plan?: string; sprint?: string; maxAttempts?: number; backoff?: number; json?: boolean }) => {
      if (!opts.plan === !opts.sprint) throw new UsageError('name exactly one of --plan or --sprint');
      const retry = opts.maxAttempts || opts.backoff !== undefined ? { maxAttempts: opts.maxAttempts, backoffMs: opts.backoff } : undefined;
      const w = await ok(ctx.client().api.POST('/api/v1/workflows', { body: { planId: opts.plan, sprintCode: opts.sprint, retry } }));
      out(opts, w, () => workflowText(w, style()));
    });
  examples(jsonOption(workflow.command('list').description('list workflows, newest first')), 'orch workflow list', 'orch workflow list --status running', 'orch workflow list --plan PLN-0A1B2C3D4E --json')
    .option('--sprint <code>', 'only workflows over this sprint')
    .option('--plan <id>', 'only workflows over this plan')
    .option('--status <status>', WorkflowStatus.options.join('|'), oneOf(WorkflowStatus.options))
    .option('--limit <n>', 'at most n workflows', positiveInt)
    .option('--after <cursor>', 'the page after this one (the cursor the previous page printed)')
    .action(async (opts: { sprint?: string; plan?: string; status?: WorkflowStatus; limit?: number; after?: string; json?: boolean }) => {
      const query = { sprint: opts.sprint, plan: opts.plan, status: opts.status, limit: opts.limit, after: opts.after };
      const page = await ok(ctx.client().api.GET('/api/v1/workflows', { params: { query } }));
      if (opts.json) return printJson(ctx.io, page);
      const rows = page.items.map((w) => [w.id, w.status, w.planId ?? w.sprintCode, `${w.done}/${w.taskCount}`, w.blocked || '', w.createdAt.slice(0, 16).replace('T', ' ')]);
      ctx.io.stdout.write(table(['WORKFLOW', 'STATUS', 'OVER', 'DONE', 'BLOCKED', 'CREATED (UTC)'], rows, style()));
      if (page.nextCursor) ctx.io.stderr.write(`more: orch workflow list --after ${page.nextCursor}\n`);
    });
  examples(jsonOption(workflow.command('show').description('show a workflow and its progress').argument('<id>')), 'orch workflow show WFL-0A1B2C3D4E', 'orch workflow show WFL-0A1B2C3D4E --json').action(
    async (id: string, opts: { json?: boolean }) => {
      const w = await ok(ctx.client().api.GET('/api/v1/workflows/{id}', { params: { path: { id } } }));
      out(opts, w, () => workflowText(w, style()));
    },
  );
  // One route per verb, each spelled out so the compiler checks it against the API.
  const verbs = {
    pause: (id: string, reason?: string) => ctx.client().api.POST('/api/v1/workflows/{id}/pause', { params: { path: { id } }, body: { reason } }),
    resume: (id: string, reason?: string) => ctx.client().api.POST('/api/v1/workflows/{id}/resume', { params: { path: { id } }, body: { reason } }),
    cancel: (id: string, reason?: string) => ctx.client().api.POST('/api/v1/workflows/{id}/cancel', { params: { path: { id } }, body: { reason } }),
  };
  for (const verb of ['pause', 'resume', 'cancel'] as const) {
    examples(jsonOption(workflow.command(verb).description(`${verb} a workflow`).argument('<id>')), `orch workflow ${verb} WFL-0A1B2C3D4E`, `orch workflow ${verb} WFL-0A1B2C3D4E --reason "release freeze" --json`)
      .option('--reason <text>', 'why')
      .action(async (id: string, opts: { reason?: string; json?: boolean }) => {
        const w = await ok(verbs[verb](id, opts.reason));
        out(opts, w, () => workflowText(w, style()));
      });
  }
}

export function planText(p: PlanView, style: Style = PLAIN): string {
  const layerOf = new Map(p.analysis.layers.flatMap((ids, l) => ids.map((id) => [id, l] as const)));
  const critical = new Set(p.analysis.criticalPath);
  const head = details(
    [
      ['plan', p.id],
      ['status', p.status],
      ['goal', p.goal],
      ['template', `${p.template} (${p.decomposer})`],
      ['sprint', p.sprintCode],
    ],
    style,
  );
  const rows = p.tasks.map((t) => [t.id, layerOf.get(t.id), `${t.estimateMinutes}m`, t.estimateLabel, critical.has(t.id) ? '*' : '', t.taskCode, t.requiredCapabilities.join(','), t.dependsOn.join(','), t.title]);
  return `${head}\n${table(['ID', 'LAYER', 'EST', 'ESTIMATE FROM', 'CRIT', 'TASK', 'CAPABILITIES', 'DEPENDS ON', 'TITLE'], rows, style)}\n${analysisText(p.analysis, style)}`;
}

export function analysisText(a: PlanAnalysis, style: Style = PLAIN): string {
  const lines = a.errors.map((e) => `${style.red(`error ${e.code}`)}: ${e.message}\n`);
  if (a.valid) {
    lines.push(
      details(
        [
        ['tasks', a.taskCount],
        ['layers', a.layers.length],
        ['critical path', `${a.criticalPathMinutes} min: ${a.criticalPath.join(' → ')}`],
        ['total effort', `${a.totalEffortMinutes} min`],
        ['wall clock', `${a.wallClockMinutes} min with ${a.agents} agent${a.agents > 1 ? 's' : ''}`],
        ['cost', `${a.estimatedCost} (${a.costPerHour}/h)`],
        ],
        style,
      ),
    );
  }
  for (const w of a.warnings) lines.push(`${style.yellow(`warning ${w.code}`)}: ${w.message}\n`);
  return lines.join('');
}

export function workflowText(w: Schema<'WorkflowView'>, style: Style = PLAIN): string {
  const counts = Object.entries(w.counts).filter(([, n]) => n > 0).map(([s, n]) => `${s} ${n}`).join(', ');
  return details([
    ['workflow', w.id],
    ['status', w.status],
    ['over', w.planId ?? w.sprintCode],
    ['tasks', `${w.taskCount} (${counts || 'none yet'})`],
    ['progress', `${Math.round(w.progress * 100)}%`],
    ['remaining', `${w.remainingEffortMinutes} min of effort; critical path ${w.remainingCriticalPathMinutes} min: ${w.remainingCriticalPath.join(' → ') || '-'}`],
    ['eta', w.eta],
    ['retry', `up to ${w.retry.maxAttempts} runs a task, backoff ${w.retry.backoffMs} ms doubling to at most ${w.retry.maxBackoffMs} ms`],
    // Runs made so far (failed ones, plus one under way or done) by tasks that failed at least once.
    ['runs made', Object.entries(w.attempts).map(([t, n]) => `${t}: ${n} of ${w.retry.maxAttempts}`)],
  ], style);
}
