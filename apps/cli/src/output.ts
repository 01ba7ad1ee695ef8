import type { Problem } from './client';
import { hintFor } from './errors';

/** One output stream; `isTTY` is true when a person is watching it (process.stdout has it). */
export interface Stream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Where a command writes; tests pass buffers, `main.ts` passes the process streams. */
export interface Io {
  stdout: Stream;
  stderr: Stream;
}

/** Text colours; every function is the identity when colour is off. */
export interface Style {
  enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
}

const sgr = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
const same = (text: string) => text;
export const PLAIN: Style = { enabled: false, bold: same, dim: same, red: same, yellow: same, green: same };
export const ANSI: Style = { enabled: true, bold: sgr(1, 22), dim: sgr(2, 22), red: sgr(31, 39), yellow: sgr(33, 39), green: sgr(32, 39) };

/**
 * Colour only for a person at a terminal: never with --json or --no-color, never when NO_COLOR is
 * set to anything but the empty string (no-color.org), otherwise when the stream is a TTY
 * (or FORCE_COLOR asks for it, e.g. under a pager that understands colour).
 */
export function colourWanted(stream: Stream, env: NodeJS.ProcessEnv, flags: { json?: boolean; noColor?: boolean }): boolean {
  if (flags.json || flags.noColor) return false;
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

export function styleFor(stream: Stream, env: NodeJS.ProcessEnv, flags: { json?: boolean; noColor?: boolean }): Style {
  return colourWanted(stream, env, flags) ? ANSI : PLAIN;
}

export type Cell = string | number | boolean | null | undefined;

/** An aligned table: a header row (bold on a terminal), then one row per item; empty cells print as `-`. */
export function table(columns: string[], rows: Cell[][], style: Style = PLAIN): string {
  const text = rows.map((row) => columns.map((_, i) => cell(row[i])));
  const widths = columns.map((c, i) => Math.max(c.length, ...text.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [style.bold(line(columns)), ...text.map(line)].join('\n') + '\n';
}

/** `key  value` lines, keys aligned (bold on a terminal): how one resource prints. */
export function details(entries: Array<[string, Cell | Cell[]]>, style: Style = PLAIN): string {
  const width = Math.max(...entries.map(([k]) => k.length));
  return entries.map(([k, v]) => `${style.bold(k.padEnd(width))}  ${Array.isArray(v) ? v.map(cell).join(', ') || '-' : cell(v)}`).join('\n') + '\n';
}

function cell(value: Cell): string {
  return value === null || value === undefined || value === '' ? '-' : String(value).replace(/\s+/g, ' ');
}

/**
 * `error CODE: detail`, then each validation error and each missing item on its own line, then
 * `hint: …` saying what to do about it when the code or the HTTP status is a known one.
 */
export function formatProblem(problem: Problem, opts: { status?: number; retryAfter?: string | null; style?: Style } = {}): string {
  const style = opts.style ?? PLAIN;
  const lines = [`${style.red(style.bold(`error ${problem.code}`))}: ${problem.detail ?? problem.title ?? 'request failed'}`];
  for (const e of problem.errors ?? []) lines.push(`  ${e.path ?? '(root)'}: ${e.message ?? ''}`);
  for (const m of problem.missing ?? []) lines.push(`  missing ${m.kind ?? 'item'} ${m.name ?? ''}${m.hint ? `: ${m.hint}` : ''}`);
  const hint = opts.status === undefined ? undefined : hintFor(problem, opts.status, opts.retryAfter);
  if (hint) lines.push(`${style.yellow('hint:')} ${hint}`);
  return lines.join('\n') + '\n';
}

export function printJson(io: Io, value: unknown): void {
  io.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
