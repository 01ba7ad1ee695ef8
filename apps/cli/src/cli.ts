import { Command, CommanderError } from 'commander';
import { ApiError, GatewayClient } from './client';
import { bugCommands } from './commands/bugs';
import { mcpCommand } from './commands/mcp';
import { eventsCommand } from './commands/events';
import { healthCommand } from './commands/health';
import { sprintCommands } from './commands/sprints';
import { taskCommands } from './commands/tasks';
import { planCommands } from './commands/plans';
import { webhookCommands } from './commands/webhooks';
import { sessionCommands } from './commands/sessions';
import { agentsCommands } from './commands/agents';
import { searchCommand } from './commands/search';
import { UsageError, type CommandContext } from './commands/context';
import { readCliConfig } from './config-file';
import { formatProblem, type Io } from './output';

export const DEFAULT_URL = 'http://127.0.0.1:3000';

export interface CliRuntime {
  io: Io;
  env: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
}

/**
 * Exit codes scripts can trust: 0 done, 1 the request failed, 2 the command line was wrong,
 * 3 a gate (a phase's or `done`'s requirements) is not met, 4 a conflict (the state moved on, 409/412).
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, gate: 3, conflict: 4 } as const;

/** Runs one `orch` invocation (`args` without `node` and the script) and returns its exit code. */
export async function runCli(args: string[], runtime: CliRuntime): Promise<number> {
  const { io, env } = runtime;
  let file: ReturnType<typeof readCliConfig>;
  try {
    file = readCliConfig(env);
  } catch (error) {
    return report(error, io);
  }
  let exitCode: number = EXIT.ok;
  let client: GatewayClient | undefined;
  const program = new Command('orch')
    .description('Command-line client of the Orchestrator gateway')
    .option('--url <url>', 'gateway URL (env ORCH_URL, then ~/.orch/config.json "url")', env.ORCH_URL || file.url || DEFAULT_URL)
    .option('--api-key <key>', 'API key (env ORCH_API_KEY, then ~/.orch/config.json "apiKey")')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(run with --help for usage)');

  const ctx: CommandContext = {
    io,
    client() {
      const opts = program.opts<{ url: string; apiKey?: string }>();
      client ??= new GatewayClient({ baseUrl: opts.url, apiKey: opts.apiKey ?? (env.ORCH_API_KEY || file.apiKey), fetch: runtime.fetch, timeoutMs: Number(env.ORCH_TIMEOUT_MS) || undefined });
      return client;
    },
    setExitCode(code) {
      exitCode = Math.max(exitCode, code);
    },
  };
  healthCommand(program, ctx);
  sprintCommands(program, ctx);
  taskCommands(program, ctx);
  planCommands(program, ctx);
  eventsCommand(program, ctx);
  bugCommands(program, ctx);
  mcpCommand(program, ctx, env);
  agentsCommands(program, ctx);
  webhookCommands(program, ctx);
  sessionCommands(program, ctx, env);
  searchCommand(program, ctx, env);

  try {
    await program.parseAsync(args, { from: 'user' });
    return exitCode;
  } catch (error) {
    return report(error, io);
  }
}

function report(error: unknown, io: Io): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage; // commander printed it
  if (error instanceof UsageError) {
    io.stderr.write(`error: ${error.message}\n`);
    return EXIT.usage;
  }
  if (error instanceof ApiError) {
    io.stderr.write(formatProblem(error.problem));
    if (error.status === 422) return EXIT.gate;
    if (error.status === 409 || error.status === 412) return EXIT.conflict;
    return EXIT.failed;
  }
  io.stderr.write(`error: ${(error as Error)?.message ?? String(error)}\n`);
  return EXIT.failed;
}
