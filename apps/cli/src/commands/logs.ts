import type { Command } from 'commander';
import { SESSION_LOG_LEVELS, SESSION_LOG_SOURCES, type SessionLogLine, type SessionLogPage } from '@orch/contracts';
import { ApiError, ok, type GatewayClient } from '../client';
import type { Style } from '../output';
import { waiting, type Waiting } from '../progress';
import { examples, jsonOption, oneOf, sessionOrCurrent, UsageError, type CommandContext } from './context';

interface LogsOpts {
  level?: (typeof SESSION_LOG_LEVELS)[number];
  source?: (typeof SESSION_LOG_SOURCES)[number];
  grep?: string;
  since?: string;
  follow?: boolean;
  json?: boolean;
}

/** How often `--follow` asks for new lines (env ORCH_LOGS_POLL_MS). */
const DEFAULT_POLL_MS = 1_000;
const DURATION = /^(\d{1,6})(s|m|h|d)$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `--since`: `10m`, `2h`, `1d` (ago), else passed on as given (an ISO time or a cursor: the gateway checks it). */
export function sinceValue(input: string, now: Date = new Date()): string {
  const d = DURATION.exec(input.trim());
  if (!d) return input.trim();
  return new Date(now.getTime() - Number(d[1]) * UNIT_MS[d[2] as keyof typeof UNIT_MS]).toISOString();
}

/**
 * A log message as text a terminal can show safely: a hostile line must not move the cursor,
 * clear the screen or retitle the window, so control characters other than tab and newline are
 * shown as `\xNN`; continuation lines are indented under the first.
 */
export function safeText(text: string): string {
  return text
    .replace(/\r\n/g, '\n')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/\n/g, '\n    ');
}

const LEVEL_STYLE: Record<SessionLogLine['level'], (s: Style, t: string) => string> = {
  debug: (s, t) => s.dim(t),
  info: (s, t) => s.green(t),
  warn: (s, t) => s.yellow(t),
  error: (s, t) => s.red(t),
  critical: (s, t) => s.bold(s.red(t)),
};

/** `2026-01-01T12:00:00.000Z ERROR    agent         message  {context}`, the level coloured on a terminal. */
export function formatLine(line: SessionLogLine, style: Style): string {
  const level = LEVEL_STYLE[line.level](style, line.level.toUpperCase().padEnd(8));
  const context = line.context && Object.keys(line.context).length ? `  ${style.dim(safeText(JSON.stringify(line.context)))}` : '';
  return `${style.dim(line.at)} ${level} ${line.source.padEnd(12)} ${safeText(line.message)}${context}\n`;
}

export interface FollowOptions {
  /** Pages of lines from `since` (undefined: from the start). */
  page(since: string | undefined): Promise<SessionLogPage>;
  print(line: SessionLogLine): void;
  /** Said once when the gateway cannot be reached or is unavailable while following. */
  warn(message: string): void;
  /** Following, and nothing new for now (a person at a terminal sees that it still waits). */
  idle?(): void;
  since?: string;
  follow: boolean;
  pollMs: number;
  signal: AbortSignal;
}

/**
 * Prints every stored line from `since`, page after page; with `follow`, then asks for lines
 * after the last one seen every `pollMs` until the signal fires (Ctrl-C). While following, a
 * gateway that is away (unreachable, 503) is waited for instead of ending the tail.
 */
export async function printLogs(o: FollowOptions): Promise<void> {
  let since = o.since;
  let away = false;
  while (!o.signal.aborted) {
    let page: SessionLogPage;
    try {
      page = await o.page(since);
      away = false;
    } catch (error) {
      const transient = error instanceof ApiError && (error.status === 0 || error.status === 503);
      if (!o.follow || !transient) throw error;
      if (!away) o.warn(`${error.message}; still following, will retry`);
      away = true;
      await pause(o.pollMs, o.signal);
      continue;
    }
    for (const line of page.items) o.print(line);
    if (page.next) since = page.next;
    if (page.more) continue;
    if (!o.follow) return;
    o.idle?.();
    await pause(o.pollMs, o.signal);
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

function pageOf(client: GatewayClient, key: string, opts: LogsOpts) {
  return (since: string | undefined) =>
    ok(client.api.GET('/api/v1/sessions/{key}/logs', { params: { path: { key }, query: { level: opts.level, source: opts.source, q: opts.grep, since, limit: 1000 } } }));
}

/**
 * `orch logs [KEY]`: a session's agent logs (the current session when no key is given), with
 * `--level --source --grep --since`, `--json` (one JSON object per line) and `-f` to keep
 * following new lines until Ctrl-C.
 */
export function logsCommand(program: Command, ctx: CommandContext, env: NodeJS.ProcessEnv = process.env): void {
  examples(
    jsonOption(program.command('logs').description("print a session's agent logs, oldest first (-f follows new lines until Ctrl-C)").argument('[key]', 'session key (default: the current session)')),
    'orch logs',
    'orch logs sess_TSK-001_20260101_120000 --level warn --since 30m',
    'orch logs --grep "ECONNREFUSED" --source agent --json',
    'orch logs -f --level error',
  )
    .option('--level <level>', `the lowest level shown: ${SESSION_LOG_LEVELS.join('|')}`, oneOf(SESSION_LOG_LEVELS))
    .option('--source <source>', SESSION_LOG_SOURCES.join('|'), oneOf(SESSION_LOG_SOURCES))
    .option('--grep <text>', 'only lines whose message contains this (case-insensitive)')
    .option('--since <when>', 'from an ISO time, a duration ago (30s, 10m, 2h, 1d) or after a cursor (1042:17)')
    .option('-f, --follow', 'keep printing new lines until Ctrl-C')
    .action(async (key: string | undefined, opts: LogsOpts) => {
      const sessionKey = sessionOrCurrent(env, key, 'name one (orch logs sess_…) or start one (orch session-start TSK-…)');
      if (opts.grep !== undefined && opts.grep.trim() === '') throw new UsageError('--grep must not be empty');
      const style = ctx.style('stdout');
      const stop = new AbortController();
      const onSigint = () => stop.abort();
      if (opts.follow) process.once('SIGINT', onSigint);
      // While following with nothing new, a person at a terminal sees how long it has been quiet.
      let quiet: Waiting | null = null;
      const speak = () => {
        quiet?.stop();
        quiet = null;
      };
      try {
        await printLogs({
          page: pageOf(ctx.client(), sessionKey, opts),
          print: (line) => {
            speak();
            ctx.io.stdout.write(opts.json ? `${JSON.stringify(line)}\n` : formatLine(line, style));
          },
          warn: (message) => {
            speak();
            ctx.io.stderr.write(`warning: ${message}\n`);
          },
          idle: () => void (quiet ??= waiting(ctx.io.stderr, `following ${sessionKey}, no new lines (Ctrl-C to stop)`)),
          since: opts.since === undefined ? undefined : sinceValue(opts.since),
          follow: opts.follow === true,
          pollMs: Number(env.ORCH_LOGS_POLL_MS) || DEFAULT_POLL_MS,
          signal: stop.signal,
        });
      } finally {
        speak();
        process.off('SIGINT', onSigint);
      }
    });
}
