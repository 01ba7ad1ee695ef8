import type { Problem } from './client';

/** Where a command writes; tests pass buffers, `main.ts` passes the process streams. */
export interface Io {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

export type Cell = string | number | boolean | null | undefined;

/** A plain aligned table: a header row, then one row per item; empty cells print as `-`. */
export function table(columns: string[], rows: Cell[][]): string {
  const text = rows.map((row) => columns.map((_, i) => cell(row[i])));
  const widths = columns.map((c, i) => Math.max(c.length, ...text.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns), ...text.map(line)].join('\n') + '\n';
}

/** `key  value` lines, keys aligned: how one resource prints. */
export function details(entries: Array<[string, Cell | Cell[]]>): string {
  const width = Math.max(...entries.map(([k]) => k.length));
  return entries.map(([k, v]) => `${k.padEnd(width)}  ${Array.isArray(v) ? v.map(cell).join(', ') || '-' : cell(v)}`).join('\n') + '\n';
}

function cell(value: Cell): string {
  return value === null || value === undefined || value === '' ? '-' : String(value).replace(/\s+/g, ' ');
}

/** `error CODE: detail`, then each validation error and each missing item on its own line. */
export function formatProblem(problem: Problem): string {
  const lines = [`error ${problem.code}: ${problem.detail ?? problem.title ?? 'request failed'}`];
  for (const e of problem.errors ?? []) lines.push(`  ${e.path ?? '(root)'}: ${e.message ?? ''}`);
  for (const m of problem.missing ?? []) lines.push(`  missing ${m.kind ?? 'item'} ${m.name ?? ''}${m.hint ? `: ${m.hint}` : ''}`);
  return lines.join('\n') + '\n';
}

export function printJson(io: Io, value: unknown): void {
  io.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
