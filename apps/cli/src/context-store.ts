import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The caller's current context, kept between `orch` invocations in `~/.orch/context.json`
 * (directory overridable with env `ORCH_HOME`, so tests isolate). Commands fill missing ids from it.
 */
export interface CliContext {
  sprintCode?: string;
  taskCode?: string;
  sessionKey?: string;
  agentId?: string;
}

const KEYS = ['sprintCode', 'taskCode', 'sessionKey', 'agentId'] as const;

/** The directory of the CLI's local state: `$ORCH_HOME`, else `~/.orch`. */
export function orchHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.ORCH_HOME || join(homedir(), '.orch');
}

export function contextPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(orchHome(env), 'context.json');
}

/** The stored context; `{}` when there is none or the file is unreadable (a broken file never blocks a command). */
export function readContext(env: NodeJS.ProcessEnv = process.env): CliContext {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(contextPath(env), 'utf8'));
  } catch {
    return {};
  }
  const context: CliContext = {};
  if (raw && typeof raw === 'object') {
    for (const key of KEYS) {
      const value = (raw as Record<string, unknown>)[key];
      if (typeof value === 'string' && value) context[key] = value;
    }
  }
  return context;
}

/** Replaces the stored context (atomically: write a temp file, then rename). */
export function writeContext(context: CliContext, env: NodeJS.ProcessEnv = process.env): CliContext {
  const clean: CliContext = {};
  for (const key of KEYS) if (context[key]) clean[key] = context[key];
  mkdirSync(orchHome(env), { recursive: true });
  const path = contextPath(env);
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(clean, null, 2) + '\n', { mode: 0o600 });
  renameSync(temp, path);
  return clean;
}

/**
 * Merges `patch` into the stored context and writes it; a key set to `undefined` or `null` in
 * the patch is removed (e.g. `{ sessionKey: null }` after the session ends).
 */
export function updateContext(patch: { [K in keyof CliContext]?: string | null }, env: NodeJS.ProcessEnv = process.env): CliContext {
  const next: CliContext = { ...readContext(env) };
  for (const key of KEYS) {
    if (!(key in patch)) continue;
    const value = patch[key];
    if (value) next[key] = value;
    else delete next[key];
  }
  return writeContext(next, env);
}
