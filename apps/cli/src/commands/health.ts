import type { Command } from 'commander';
import { ok } from '../client';
import { printJson, table, type Cell } from '../output';
import { examples, jsonOption, type CommandContext } from './context';

/** `orch health`: the gateway's readiness, one line per dependency or service it checks. */
export function healthCommand(program: Command, ctx: CommandContext): void {
  examples(jsonOption(program.command('health').description('is the system ready? (GET /ready: NATS, Postgres, Redis and every service)')), 'orch health', 'orch health --json').action(
    async (opts: { json?: boolean }) => {
      const { data, error, response } = await ctx.client().api.GET('/ready');
      const status = response.status;
      if (status !== 200 && status !== 503) await ok(Promise.resolve({ data, error, response }));
      const body: unknown = data ?? error;
      if (opts.json) printJson(ctx.io, body);
      else {
        const style = ctx.style('stdout');
        ctx.io.stdout.write(`${status === 200 ? style.green('ready') : style.red('not ready')} (HTTP ${status})\n`);
        const rows = checkRows(body);
        const withDetail = rows.some((r) => r[2]);
        if (rows.length) ctx.io.stdout.write(table(withDetail ? ['CHECK', 'STATUS', 'DETAIL'] : ['CHECK', 'STATUS'], rows, style));
        const detail = (body as { detail?: unknown } | undefined)?.detail;
        if (typeof detail === 'string') ctx.io.stdout.write(`${detail}\n`);
      }
      if (status !== 200) ctx.setExitCode(1);
    },
  );
}

/**
 * The checks of a readiness answer, whichever shape it has: `{checks: {name: 'up'}}`,
 * `{checks: {name: {status, ...}}}` or `{checks: [{name, status}]}`.
 */
export function checkRows(body: unknown): Cell[][] {
  const checks = (body as { checks?: unknown } | undefined)?.checks;
  if (!checks || typeof checks !== 'object') return [];
  const entries: Array<[string, unknown]> = Array.isArray(checks)
    ? checks.map((c: { name?: string }) => [String(c?.name ?? '?'), c])
    : Object.entries(checks as Record<string, unknown>);
  return entries.map(([name, value]) => {
    if (typeof value === 'string') return [name, value, ''];
    if (typeof value === 'boolean') return [name, value ? 'up' : 'down', ''];
    const v = (value ?? {}) as Record<string, unknown>;
    const status = v.status ?? (v.ok === undefined ? '?' : v.ok ? 'up' : 'down');
    const detail = v.detail ?? v.error ?? v.message ?? (v.latencyMs === undefined ? '' : `${v.latencyMs} ms`);
    return [name, String(status), String(detail)];
  });
}
