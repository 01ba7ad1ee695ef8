import { InvalidArgumentError, type Command } from 'commander';
import type { GatewayClient } from '../client';
import { readContext } from '../context-store';
import type { Io, Style } from '../output';

/** What every command needs: where to write, and the one client of this invocation. */
export interface CommandContext {
  io: Io;
  /** The same client for the whole invocation, so reads after a write carry its sequence. */
  client(): GatewayClient;
  /** Ends the invocation with this code once the command returns (e.g. 1 when not ready). */
  setExitCode(code: number): void;
  /**
   * How to colour text for one of the streams: plain unless that stream is a terminal and
   * neither NO_COLOR, --no-color nor --json says otherwise (see `styleFor` in output.ts).
   */
  style(stream: 'stdout' | 'stderr'): Style;
}

/** A usage mistake found after parsing (exit code 2, like commander's own). */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function jsonOption(command: Command): Command {
  return command.option('--json', 'print the raw JSON answer (for scripts and agents)');
}

/** The example lines of each command, kept for `orch --help` and the test that walks the tree. */
const EXAMPLES = new WeakMap<Command, string[]>();

/**
 * Adds an "Examples:" block to a command's help. Each line is a whole command line starting with
 * `orch` and the command's own path; `help.spec.ts` fails for a command without any.
 */
export function examples<C extends Command>(command: C, ...lines: string[]): C {
  EXAMPLES.set(command, [...(EXAMPLES.get(command) ?? []), ...lines]);
  command.addHelpText('after', `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}`);
  return command;
}

export function examplesOf(command: Command): string[] {
  return EXAMPLES.get(command) ?? [];
}

/** The values a `oneOf` parser accepts, so shell completion can offer them. */
const CHOICES = new WeakMap<object, readonly string[]>();

/** An option parser that accepts one of `values`, case-insensitively, and returns its canonical spelling. */
export function oneOf<T extends string>(values: readonly T[]) {
  const parse = (input: string): T => {
    const match = values.find((v) => v.toLowerCase() === input.toLowerCase());
    if (!match) throw new InvalidArgumentError(`must be one of ${values.join(', ')}`);
    return match;
  };
  CHOICES.set(parse, values);
  return parse;
}

export function choicesOf(parser: unknown): readonly string[] {
  return (typeof parser === 'function' && CHOICES.get(parser)) || [];
}

export function positiveInt(input: string): number {
  const n = Number(input);
  if (!/^\d+$/.test(input) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of 1 or more');
  return n;
}

export function nonNegativeInt(input: string): number {
  const n = Number(input);
  if (!/^\d+$/.test(input) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('must be a whole number of 0 or more');
  return n;
}

/** `a,b, c` → `['a','b','c']`; empty items are dropped. */
export function list(input: string): string[] {
  return input
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The session a command acts on: the one it names, else the current one (`~/.orch/context.json`); `how` says how to name one. */
export function sessionOrCurrent(env: NodeJS.ProcessEnv, given: string | undefined, how: string): string {
  const key = given ?? readContext(env).sessionKey;
  if (!key) throw new UsageError(`no current session: ${how}`);
  return key;
}
