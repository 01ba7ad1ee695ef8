import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { PlanAnalysis, PlanView, TemplateList, WorkflowView } from '@orch/contracts';
import { details, printJson, table } from '../output';
import { jsonOption, nonNegativeInt, positiveInt, UsageError, type CommandContext } from './context';

/** `--param key=value`, repeatable. */
function param(input: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = input.indexOf('=');
  if (eq < 1) throw new UsageError(`--param wants key=value, got "${input}"`);
  return { ...previous, [input.slice(0, eq).trim()]: input.slice(eq + 1) };
}

/** `orch plan create|show|validate|accept` and `orch workflow start|show|pause|resume|cancel`. */
export function planCommands(program: Command, ctx: CommandContext): void {
  const out = (opts: { json?: boolean }, value: unknown, human: () => string) => (opts.json ? printJson(ctx.io, value) : ctx.io.stdout.write(human()));
  const plan = program.command('plan').description('decompose a goal into a task DAG, check it, and accept it into a sprint');

  jsonOption(plan.command('create').description('plan a goal with a template').argument('<template>', 'feature, bug_fix, refactor, research').argument('<goal>'))
    .option('--param <key=value>', 'a template parameter (repeatable), e.g. --param feature="dark mode"', param)
    .option('--sprint <code>', 'the sprint its tasks will go to when accepted')
    .option('--agents <n>', 'agents the wall-clock estimate assumes', positiveInt)
    .action(async (template: string, goal: string, opts: { param?: Record<string, string>; sprint?: string; agents?: number; json?: boolean }) => {
      const body = { template, goal, params: opts.param, sprintCode: opts.sprint, agents: opts.agents };
      const p = (await ctx.client().post<PlanView>('/api/v1/plans', body)).body;
      out(opts, p, () => planText(p));
    });

  jsonOption(plan.command('templates').description('list the plan templates and their parameters')).action(async (opts: { json?: boolean }) => {
    const list = (await ctx.client().get<TemplateList>('/api/v1/plans/templates')).body;
    out(opts, list, () =>
      table(
        ['TEMPLATE', 'TASKS', 'PARAMETERS', 'DESCRIPTION'],
        list.items.map((t) => [t.name, t.taskCount, t.params.map((p) => (p.required ? `${p.name} (required)` : `${p.name}=${p.default ?? ''}`)).join(', '), t.description]),
      ),
    );
  });

  jsonOption(plan.command('show').description('show a plan').argument('<id>', 'e.g. PLN-0A1B2C3D4E')).action(async (id: string, opts: { json?: boolean }) => {
    const p = (await ctx.client().get<PlanView>(`/api/v1/plans/${encodeURIComponent(id)}`)).body;
    out(opts, p, () => planText(p));
  });

  jsonOption(plan.command('validate').description('check a DAG from a JSON file ({"tasks": [...]} or an array); exit 1 when invalid').argument('<file>'))
    .option('--agents <n>', 'agents for the wall-clock estimate', positiveInt)
    .action(async (file: string, opts: { agents?: number; json?: boolean }) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(file, 'utf8'));
      } catch (error) {
        throw new UsageError(`${file}: ${(error as Error).message}`);
      }
      const body = Array.isArray(parsed) ? { tasks: parsed, agents: opts.agents } : { ...(parsed as object), ...(opts.agents ? { agents: opts.agents } : {}) };
      const a = (await ctx.client().post<PlanAnalysis>('/api/v1/plans/validate', body)).body;
      out(opts, a, () => analysisText(a));
      if (!a.valid) ctx.setExitCode(1);
    });

  jsonOption(plan.command('accept').description("create a plan's tasks in a sprint (idempotent)").argument('<id>'))
    .option('--sprint <code>', "the sprint (default: the plan's)")
    .action(async (id: string, opts: { sprint?: string; json?: boolean }) => {
      const p = (await ctx.client().post<PlanView>(`/api/v1/plans/${encodeURIComponent(id)}/accept`, { sprintCode: opts.sprint })).body;
      out(opts, p, () => `accepted ${p.id} into ${p.sprintCode}: ${p.tasks.length} tasks\n` + table(['TASK', 'PLAN ID', 'TITLE'], p.tasks.map((t) => [t.taskCode, t.id, t.title])));
    });

  const workflow = program.command('workflow').description('run an accepted plan or a sprint: readiness, retries, pause');
  jsonOption(workflow.command('start').description('start a workflow'))
    .option('--plan <id>', 'an accepted plan')
    .option('--sprint <code>', 'or a sprint')
    .option('--max-attempts <n>', 'runs of a task before it is BLOCKED', positiveInt)
    .option('--backoff <ms>', 'delay before the first retry (doubles each time)', nonNegativeInt)
    .action(async (opts: { plan?: string; sprint?: string; maxAttempts?: number; backoff?: number; json?: boolean }) => {
      if (!opts.plan === !opts.sprint) throw new UsageError('name exactly one of --plan or --sprint');
      const retry = opts.maxAttempts || opts.backoff !== undefined ? { maxAttempts: opts.maxAttempts, backoffMs: opts.backoff } : undefined;
      const w = (await ctx.client().post<WorkflowView>('/api/v1/workflows', { planId: opts.plan, sprintCode: opts.sprint, retry })).body;
      out(opts, w, () => workflowText(w));
    });
  jsonOption(workflow.command('show').description('show a workflow and its progress').argument('<id>')).action(async (id: string, opts: { json?: boolean }) => {
    const w = (await ctx.client().get<WorkflowView>(`/api/v1/workflows/${encodeURIComponent(id)}`)).body;
    out(opts, w, () => workflowText(w));
  });
  for (const verb of ['pause', 'resume', 'cancel'] as const) {
    jsonOption(workflow.command(verb).description(`${verb} a workflow`).argument('<id>'))
      .option('--reason <text>', 'why')
      .action(async (id: string, opts: { reason?: string; json?: boolean }) => {
        const w = (await ctx.client().post<WorkflowView>(`/api/v1/workflows/${encodeURIComponent(id)}/${verb}`, { reason: opts.reason })).body;
        out(opts, w, () => workflowText(w));
      });
  }
}

export function planText(p: PlanView): string {
  const layerOf = new Map(p.analysis.layers.flatMap((ids, l) => ids.map((id) => [id, l] as const)));
  const critical = new Set(p.analysis.criticalPath);
  const head = details([
    ['plan', p.id],
    ['status', p.status],
    ['goal', p.goal],
    ['template', `${p.template} (${p.decomposer})`],
    ['sprint', p.sprintCode],
  ]);
  const rows = p.tasks.map((t) => [t.id, layerOf.get(t.id), `${t.estimateMinutes}m`, t.estimateLabel, critical.has(t.id) ? '*' : '', t.taskCode, t.requiredCapabilities.join(','), t.dependsOn.join(','), t.title]);
  return `${head}\n${table(['ID', 'LAYER', 'EST', 'ESTIMATE FROM', 'CRIT', 'TASK', 'CAPABILITIES', 'DEPENDS ON', 'TITLE'], rows)}\n${analysisText(p.analysis)}`;
}

export function analysisText(a: PlanAnalysis): string {
  const lines = a.errors.map((e) => `error ${e.code}: ${e.message}\n`);
  if (a.valid) {
    lines.push(
      details([
        ['tasks', a.taskCount],
        ['layers', a.layers.length],
        ['critical path', `${a.criticalPathMinutes} min: ${a.criticalPath.join(' → ')}`],
        ['total effort', `${a.totalEffortMinutes} min`],
        ['wall clock', `${a.wallClockMinutes} min with ${a.agents} agent${a.agents > 1 ? 's' : ''}`],
        ['cost', `${a.estimatedCost} (${a.costPerHour}/h)`],
      ]),
    );
  }
  for (const w of a.warnings) lines.push(`warning ${w.code}: ${w.message}\n`);
  return lines.join('');
}

export function workflowText(w: WorkflowView): string {
  const counts = Object.entries(w.counts).filter(([, n]) => n > 0).map(([s, n]) => `${s} ${n}`).join(', ');
  return details([
    ['workflow', w.id],
    ['status', w.status],
    ['over', w.planId ?? w.sprintCode],
    ['tasks', `${w.taskCount} (${counts || 'none yet'})`],
    ['progress', `${Math.round(w.progress * 100)}%`],
    ['remaining', `${w.remainingEffortMinutes} min of effort; critical path ${w.remainingCriticalPathMinutes} min: ${w.remainingCriticalPath.join(' → ') || '-'}`],
    ['eta', w.eta],
    ['retry', `${w.retry.maxAttempts} attempts, backoff ${w.retry.backoffMs} ms`],
    ['attempts', Object.entries(w.attempts).map(([t, n]) => `${t}: ${n}`)],
  ]);
}
