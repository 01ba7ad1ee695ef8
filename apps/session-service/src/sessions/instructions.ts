import type { Instructions, MissingItemView } from '@orch/contracts';
import type { TaskTime } from '../read-model/task-facts';
import type { WorkflowTemplate } from '../workflow/templates';
import { gateOf } from './gate';
import { missingFor } from './gate';
import { activeMsAt, type Session } from './session';

/** `1h 05m`, `12m`, `40s`: how long, for people. */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

export interface InstructionOptions {
  checkArtifacts?: boolean;
  missing?: MissingItemView[];
  syncFiles?: boolean;
  /** The task's current estimate and its other sessions' time; without it, the estimate from session start. */
  task?: TaskTime | null;
  /** Whether the caller may override a gate (workflow.allow_user_override and its role): only then is the override offered. */
  mayOverride?: boolean;
}

/** Quotes an argument for a POSIX shell only when it needs it, so suggested commands run as printed. */
const arg = (a: string) => (/^[A-Za-z0-9_.:/=-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

/**
 * The instructions of every session answer: from the template's `next_step` (of the phase that
 * led here) and the session's state: what is missing, the commands that would work, the time.
 */
export function instructionsFor(s: Session, template: WorkflowTemplate, now: string, opts: InstructionOptions = {}): Instructions {
  const elapsed = s.endedAt ? s.activeMs : activeMsAt(s, now);
  // The estimate is the task's as it is now, compared with the time of all its sessions.
  const estimate = opts.task ? opts.task.estimateMinutes : s.estimateMinutes;
  const taskMs = elapsed + (opts.task?.otherSessionsMs ?? 0);
  const phase = template.phases.find((p) => p.name === s.currentPhase);
  const index = template.phases.findIndex((p) => p.name === s.currentPhase);
  const missing = opts.missing ?? (phase && s.status === 'ACTIVE' ? missingFor(s, gateOf(phase, opts.checkArtifacts ?? true)) : []);
  const contextReminder = {
    activeTask: s.taskCode,
    sessionKey: s.key,
    phase: s.currentPhase,
    status: s.status,
    timeElapsed: humanDuration(elapsed),
    timeElapsedMs: elapsed,
    estimateMinutes: estimate,
    taskTimeMs: taskMs,
    taskTimeSpent: humanDuration(taskMs),
  };
  // `files.sync` runs only when workflow.sync_files_on_close is on.
  const hook = (h: string) => h !== 'files.sync' || opts.syncFiles !== false;
  const phaseHooks = { onStart: (phase?.onStart ?? []).filter(hook), onEnd: (phase?.onEnd ?? []).filter(hook) };
  if (s.status === 'COMPLETED' || s.status === 'FAILED') {
    return {
      phaseHooks: { onStart: [], onEnd: [] },
      nextActions: [`The session is ${s.status}.`, 'Pick the next task and start a session on it (orch session-start <task>).'],
      suggestedCommands: afterEnd(s),
      missing: [],
      contextReminder,
    };
  }
  if (s.status === 'SUSPENDED') {
    return {
      phaseHooks,
      nextActions: [`The session is suspended in ${s.currentPhase}. Read the briefing, then resume it.`],
      suggestedCommands: [`orch session-resume ${s.key}`],
      missing,
      contextReminder,
    };
  }
  const nextActions = [`${s.currentPhase}: ${phase?.goal ?? ''}`.trim()];
  const previous = index > 0 ? template.phases[index - 1] : undefined;
  nextActions.push(...lines(previous ? previous.nextStep : (phase?.description ?? '')));
  const commands: string[] = [];
  for (const m of missing) {
    nextActions.push(`Missing ${m.kind} ${m.name}: ${m.hint}`);
    if (m.kind === 'artifact') commands.push(`orch artifact ${arg(m.name)} ./${arg(m.name)}`);
  }
  const fields = missing.filter((m) => m.kind === 'field').map((m) => `--field ${m.name}=…`);
  const last = index === template.phases.length - 1;
  if (last) commands.push(missing.length ? `orch session-end --summary "…"` : 'orch session-end');
  else commands.push(['orch phase-complete', ...fields].join(' '));
  if (missing.length && !last && opts.mayOverride) commands.push(`orch phase-complete --override --reason "…"`);
  commands.push(`orch note "…"`, `orch update "…"`);
  if (estimate !== null && taskMs > estimate * 60_000) {
    nextActions.push(
      `Time spent on ${s.taskCode} (${humanDuration(taskMs)}) passes the estimate (${estimate}m): update the estimate (PATCH /api/v1/tasks/${s.taskCode} {"estimateMinutes": …}).`,
    );
  }
  return { nextActions, suggestedCommands: commands, missing, phaseHooks, contextReminder };
}

/**
 * After the end: commands that work as printed (no placeholder task code to fill in). Not
 * `orch task next <agent>`: the session's agent id need not be a registered agent (404).
 */
function afterEnd(s: Session): string[] {
  return ['orch status', `orch task list --status READY${s.sprintCode ? ` --sprint ${arg(s.sprintCode)}` : ''}`];
}
