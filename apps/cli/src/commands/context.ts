import { InvalidArgumentError, type Command } from 'commander';
import type { GatewayClient } from '../client';
import type { Io } from '../output';

/** What every command needs: where to write, and the one client of this invocation. */
export interface CommandContext {
  io: Io;
  /** The same client for the whole invocation, so reads after a write carry its sequence. */
  client(): GatewayClient;
  /** Ends the invocation with this code once the command returns (e.g. 1 when not ready). */
  setExitCode(code: number): void;
}

/** A usage mistake found after parsing (exit code 2, like commander's own). */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function jsonOption(command: Command): Command {
  return command.option('--json', 'print the raw JSON answer (for scripts and agents)');
}

/** An option parser that accepts one of `values`, case-insensitively, and returns its canonical spelling. */
export function oneOf(values: readonly string[]) {
  return (input: string): string => {
    const match = values.find((v) => v.toLowerCase() === input.toLowerCase());
    if (!match) throw new InvalidArgumentError(`must be one of ${values.join(', ')}`);
    return match;
  };
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
