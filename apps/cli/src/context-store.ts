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
  /**
   * The current session's phase as the last session answer showed it. `orch phase-complete` sends
   * it as `phase`, so a second complete of the same phase (another process, a retry) gets 409 and
   * never completes the phase after it.
   */
  phase?: string;
  /** The phase before `phase`, and when (epoch ms) the CLI learnt of the change: see phaseSeenBy. */
  priorPhase?: string;
  phaseSeenAt?: string;
}

const KEYS = ['sprintCode', 'taskCode', 'sessionKey', 'agentId', 'phase', 'priorPhase', 'phaseSeenAt'] as const;
const PHASE_KEYS = ['phase', 'priorPhase', 'phaseSeenAt'] as const;

/**
 * The phase a command started at `startedAt` (epoch ms) had seen. Concurrent `orch` processes
 * share the file: when one of them completes INTAKE and writes RESEARCH, the others, started
 * before that, still mean INTAKE (and get 409), while a command started after it means RESEARCH.
 */
export function phaseSeenBy(context: CliContext, startedAt: number): string | undefined {
  return context.phaseSeenAt && Number(context.phaseSeenAt) > startedAt ? context.priorPhase : context.phase;
}

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
  const before = readContext(env);
  const next: CliContext = { ...before };
  // The phase belongs to the session: another (or no) session forgets it.
  const otherSession = 'sessionKey' in patch && (patch.sessionKey ?? undefined) !== before.sessionKey;
  if (otherSession) for (const key of PHASE_KEYS) delete next[key];
  for (const key of KEYS) {
    if (!(key in patch)) continue;
    const value = patch[key];
    if (value) next[key] = value;
    else delete next[key];
  }
  if (!otherSession && patch.phase && before.phase && patch.phase !== before.phase) {
    next.priorPhase = before.phase;
    next.phaseSeenAt = String(Date.now());
  }
  return writeContext(next, env);
}
