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
import { stateCommands } from './commands/state';
import { budgetCommands } from './commands/budgets';
import { agentsCommands } from './commands/agents';
import { searchCommand } from './commands/search';
import { logsCommand } from './commands/logs';
import { examples, UsageError, type CommandContext } from './commands/context';
import { configCommand } from './commands/config';
import { completionCommand } from './completion';
import { DEFAULT_URL, readCliConfig, resolveConnection, type CliConfig } from './config-file';
import { EXIT, EXIT_CODES_HELP, exitCodeFor } from './errors';
import { formatProblem, printJson, styleFor, type Io } from './output';

export { DEFAULT_URL } from './config-file';
export { EXIT } from './errors';

export interface CliRuntime {
  io: Io;
  env: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
}

/** The flags that shape error output, read from the raw arguments (errors can come before parsing). */
function outputFlags(args: string[]): { json: boolean; noColor: boolean } {
  const end = args.indexOf('--');
  const own = end < 0 ? args : args.slice(0, end);
  return { json: own.includes('--json'), noColor: own.includes('--no-color') };
}

/** Runs one `orch` invocation (`args` without `node` and the script) and returns its exit code. */
export async function runCli(args: string[], runtime: CliRuntime): Promise<number> {
  const flags = outputFlags(args);
  let file: CliConfig;
  try {
    file = readCliConfig(runtime.env);
  } catch (error) {
    return report(error, runtime, flags);
  }
  const { program, exitCode } = buildProgram(runtime, file);
  try {
    await program.parseAsync(args, { from: 'user' });
    return exitCode();
  } catch (error) {
    return report(error, runtime, flags);
  }
}

/** The `orch` command tree of one invocation, every command registered and nothing parsed yet. */
export function buildProgram(runtime: CliRuntime, file: CliConfig = {}): { program: Command; exitCode(): number } {
  const { io, env } = runtime;
  let exitCode: number = EXIT.ok;
  let client: GatewayClient | undefined;
  let json = false;
  const program = examples(
    new Command('orch')
      .description('Command-line client of the Orchestrator gateway')
      .option('--url <url>', `gateway URL (else env ORCH_URL, else "url" in ~/.orch/config.json, else ${DEFAULT_URL})`)
      .option('--api-key <key>', 'API key (else env ORCH_API_KEY, else "apiKey" in ~/.orch/config.json)')
      .option('--no-color', 'no colour even on a terminal (colour is also off with NO_COLOR, --json or when output is not a terminal)')
      .exitOverride()
      .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
      .showHelpAfterError('(run with --help for usage)')
      .hook('preAction', (_root, action) => {
        json = action.opts().json === true;
      }),
    'orch task list --sprint SPR-001',
    'orch session-start TSK-101 --json',
    'orch completion bash > ~/.local/share/bash-completion/completions/orch',
  ).addHelpText('after', `\n${EXIT_CODES_HELP}\n\nEvery command has --help with examples. Shell completion: orch completion bash|zsh.`);

  const ctx: CommandContext = {
    io,
    client() {
      if (!client) {
        const c = resolveConnection(program.opts<{ url?: string; apiKey?: string }>(), env, file);
        client = new GatewayClient({ baseUrl: c.url, apiKey: c.apiKey, fetch: runtime.fetch, timeoutMs: Number(env.ORCH_TIMEOUT_MS) || undefined });
      }
      return client;
    },
    setExitCode(code) {
      exitCode = Math.max(exitCode, code);
    },
    style(stream) {
      return styleFor(io[stream], env, { json, noColor: program.opts<{ color?: boolean }>().color === false });
    },
  };
  healthCommand(program, ctx);
  sprintCommands(program, ctx);
  taskCommands(program, ctx);
  planCommands(program, ctx);
  eventsCommand(program, ctx);
  bugCommands(program, ctx, env);
  mcpCommand(program, ctx, env);
  agentsCommands(program, ctx);
  webhookCommands(program, ctx);
  sessionCommands(program, ctx, env);
  stateCommands(program, ctx, env);
  budgetCommands(program, ctx, env);
  searchCommand(program, ctx, env);
  logsCommand(program, ctx, env);
  configCommand(program, ctx, env, file);
  completionCommand(program, ctx);

  return { program, exitCode: () => exitCode };
}

/**
 * Prints a failure and returns its exit code: `error CODE: detail`, the fields or missing items,
 * and a `hint:` line on stderr (red and yellow on a terminal); with --json also the problem
 * document itself on stdout, so a program gets the same JSON the API sent.
 */
function report(error: unknown, runtime: CliRuntime, flags: { json: boolean; noColor: boolean }): number {
  const { io, env } = runtime;
  const problem = (code: string, detail: string) => flags.json && printJson(io, { code, detail });
  if (error instanceof CommanderError) {
    if (error.exitCode === 0) return EXIT.ok; // --help, --version
    problem('CLI.USAGE', error.message.replace(/^error: /, '')); // commander printed it on stderr
    return EXIT.usage;
  }
  if (error instanceof UsageError) {
    io.stderr.write(`error: ${error.message}\n`);
    problem('CLI.USAGE', error.message);
    return EXIT.usage;
  }
  if (error instanceof ApiError) {
    io.stderr.write(formatProblem(error.problem, { status: error.status, retryAfter: error.retryAfter, style: styleFor(io.stderr, env, flags) }));
    if (flags.json) printJson(io, { status: error.status || undefined, ...error.problem });
    return exitCodeFor(error.status);
  }
  const message = (error as Error)?.message ?? String(error);
  io.stderr.write(`error: ${message}\n`);
  problem('CLI.ERROR', message);
  return EXIT.failed;
}
