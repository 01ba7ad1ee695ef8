import { z } from 'zod';
import { Actor } from '../common/actor';
import { TaskCode } from '../common/ids';
import { MissingItem, PhaseName, SessionKey, SessionStatus } from './session';
import { TurnRole } from './turns';

/**
 * The session aggregate's events (SPEC §5, the seeds' names). Every one carries `sessionKey`,
 * `taskCode` and `sprintCode`, so search scopes and notifier filters need no lookups (CROSS.md).
 */
const Base = z.object({ sessionKey: SessionKey, taskCode: TaskCode, sprintCode: z.string().nullable() });

const ev = <T extends string, D extends z.ZodRawShape>(type: T, data: D) => z.object({ type: z.literal(type), data: Base.extend(data) });

export const SessionStarted = ev('orchestration.session.start', {
  template: z.string(),
  phases: z.array(PhaseName).min(1),
  agentId: z.string().nullable(),
  taskTitle: z.string(),
  estimateMinutes: z.number().int().nullable(),
});
export const SessionEnded = ev('orchestration.session.end', {
  status: SessionStatus.extract(['COMPLETED', 'FAILED']),
  phase: PhaseName,
  forced: z.boolean(),
  reason: z.string().nullable(),
  activeMs: z.number().int().nonnegative(),
  phaseDurations: z.record(z.string(), z.number().int().nonnegative()),
});
export const PhaseOverridden = ev('orchestration.phase.override', {
  phase: PhaseName,
  to: PhaseName,
  reason: z.string(),
  actor: Actor,
  missing: z.array(MissingItem),
  skipped: z.array(PhaseName),
});
export const SessionSuspended = ev('orchestration.session.suspended', { phase: PhaseName, reason: z.string(), agentId: z.string().nullable() });
export const SessionResumed = ev('orchestration.session.resumed', { phase: PhaseName, agentId: z.string().nullable() });
export const SessionTakenOver = ev('orchestration.session.taken_over', { phase: PhaseName, fromAgentId: z.string().nullable(), toAgentId: z.string().nullable(), reason: z.string().nullable() });
export const NoteAdded = ev('orchestration.session.note_added', { phase: PhaseName, text: z.string() });
export const ProgressUpdated = ev('orchestration.session.progress_updated', { phase: PhaseName, text: z.string(), percent: z.number().int().min(0).max(100).nullable() });
export const ArtifactRegistered = ev('orchestration.session.artifact_registered', {
  phase: PhaseName,
  name: z.string(),
  sha256: z.string(),
  size: z.number().int().nonnegative(),
  content: z.string().nullable(),
  uri: z.string().nullable(),
});
export const StateUpdated = ev('orchestration.session.state_updated', {
  set: z.record(z.string(), z.unknown()),
  removed: z.array(z.string()),
  stateVersion: z.number().int().positive(),
});
export const CommitRecorded = ev('orchestration.session.commit_recorded', {
  phase: PhaseName,
  hash: z.string(),
  shortHash: z.string(),
  message: z.string(),
  author: z.string(),
});
export const ChangesRecorded = ev('orchestration.session.changes_recorded', { phase: PhaseName, files: z.array(z.string()), diffSummary: z.string().nullable() });
export const PullRequestLinked = ev('orchestration.session.pull_request_linked', { url: z.string(), provider: z.enum(['github', 'gitlab']), number: z.number().int().positive() });
export const FieldsRecorded = ev('orchestration.session.fields_recorded', { phase: PhaseName, fields: z.record(z.string(), z.string()) });
/** One turn of the agent's conversation; `content` is stored after redaction (`redactions` secrets cut). */
export const TurnAdded = ev('orchestration.session.turn_added', {
  phase: PhaseName,
  turn: z.number().int().positive(),
  role: TurnRole,
  content: z.string(),
  tokens: z.object({ input: z.number().int().nonnegative(), output: z.number().int().nonnegative() }).nullable(),
  redactions: z.number().int().nonnegative(),
});
/** A private state entry of `owner` (a caller id) set or removed; `version` counts its writes. */
export const PrivateStateUpdated = ev('orchestration.session.private_state_updated', {
  owner: z.string().min(1),
  name: z.string(),
  value: z.unknown(),
  removed: z.boolean(),
  version: z.number().int().positive(),
});

/** `orchestration.phase.<phase>.start|end`: the phase is part of the type, as in the seeds. */
export type PhaseStartType = `orchestration.phase.${string}.start`;
export type PhaseEndType = `orchestration.phase.${string}.end`;
const PhaseStartData = Base.extend({ phase: PhaseName, from: PhaseName.nullable() });
const PhaseEndData = Base.extend({ phase: PhaseName, durationMs: z.number().int().nonnegative(), overridden: z.boolean() });
export const PhaseStarted = z.object({ type: z.custom<PhaseStartType>((t) => typeof t === 'string' && /^orchestration\.phase\.[a-z_]+\.start$/.test(t)), data: PhaseStartData });
export const PhaseEnded = z.object({ type: z.custom<PhaseEndType>((t) => typeof t === 'string' && /^orchestration\.phase\.[a-z_]+\.end$/.test(t)), data: PhaseEndData });

/**
 * `orchestration.phase.<phase>.<name>`: an event the phase's template declares besides start and
 * end (the seeds' `execute.step_complete`), emitted by an agent (`orch update --event NAME`).
 */
export type PhaseCustomType = `orchestration.phase.${string}.${string}`;
/** A declared event's name: lower-case, not `start`/`end` (those the phase machine emits). */
export const PhaseEventName = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be an event name such as step_complete').refine((n) => n !== 'start' && n !== 'end', 'start and end are emitted by the phase changes themselves');
const PHASE_CUSTOM = /^orchestration\.phase\.[a-z_]+\.(?!start$|end$)[a-z][a-z0-9_]*$/;
const PhaseCustomData = Base.extend({ phase: PhaseName, event: z.string(), text: z.string().nullable() });
export const PhaseEventEmitted = z.object({ type: z.custom<PhaseCustomType>((t) => typeof t === 'string' && PHASE_CUSTOM.test(t)), data: PhaseCustomData });
export const phaseCustomType = (phase: string, name: string): PhaseCustomType => `orchestration.phase.${phase.toLowerCase()}.${name}`;

export const phaseStartType = (phase: string): PhaseStartType => `orchestration.phase.${phase.toLowerCase()}.start`;
export const phaseEndType = (phase: string): PhaseEndType => `orchestration.phase.${phase.toLowerCase()}.end`;

const BY_TYPE = {
  'orchestration.session.start': SessionStarted,
  'orchestration.session.end': SessionEnded,
  'orchestration.phase.override': PhaseOverridden,
  'orchestration.session.suspended': SessionSuspended,
  'orchestration.session.resumed': SessionResumed,
  'orchestration.session.taken_over': SessionTakenOver,
  'orchestration.session.note_added': NoteAdded,
  'orchestration.session.progress_updated': ProgressUpdated,
  'orchestration.session.artifact_registered': ArtifactRegistered,
  'orchestration.session.state_updated': StateUpdated,
  'orchestration.session.commit_recorded': CommitRecorded,
  'orchestration.session.changes_recorded': ChangesRecorded,
  'orchestration.session.pull_request_linked': PullRequestLinked,
  'orchestration.session.fields_recorded': FieldsRecorded,
  'orchestration.session.turn_added': TurnAdded,
  'orchestration.session.private_state_updated': PrivateStateUpdated,
} as const;

export type FixedSessionEvent = { [K in keyof typeof BY_TYPE]: z.infer<(typeof BY_TYPE)[K]> }[keyof typeof BY_TYPE];
export type PhaseStartedEvent = z.infer<typeof PhaseStarted>;
export type PhaseEndedEvent = z.infer<typeof PhaseEnded>;
export type PhaseEventEmittedEvent = z.infer<typeof PhaseEventEmitted>;
export type SessionEvent = FixedSessionEvent | PhaseStartedEvent | PhaseEndedEvent | PhaseEventEmittedEvent;
export type SessionEventData<T extends keyof typeof BY_TYPE> = z.infer<(typeof BY_TYPE)[T]>['data'];

export const isPhaseStart = (e: { type: string }): e is PhaseStartedEvent => /^orchestration\.phase\.[a-z_]+\.start$/.test(e.type);
export const isPhaseEnd = (e: { type: string }): e is PhaseEndedEvent => /^orchestration\.phase\.[a-z_]+\.end$/.test(e.type);
export const isPhaseCustom = (e: { type: string }): e is PhaseEventEmittedEvent => PHASE_CUSTOM.test(e.type);

function schemaOf(type: unknown): z.ZodType | undefined {
  if (typeof type !== 'string') return undefined;
  if (type in BY_TYPE) return BY_TYPE[type as keyof typeof BY_TYPE];
  if (isPhaseStart({ type })) return PhaseStarted;
  if (isPhaseEnd({ type })) return PhaseEnded;
  if (isPhaseCustom({ type })) return PhaseEventEmitted;
  return undefined;
}

/**
 * One schema for every session event, dispatched on `type` (a union of 16 object schemas would
 * try each in turn: too slow for folding a 1,000-event session on every briefing).
 */
export const SessionEvent: z.ZodType<SessionEvent> = z.looseObject({ type: z.string() }).transform((value, ctx) => {
  const schema = schemaOf(value.type);
  if (!schema) {
    ctx.addIssue({ code: 'custom', path: ['type'], message: `is not a session event type: ${String(value.type)}` });
    return z.NEVER;
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: issue.path as PropertyKey[], message: issue.message });
    return z.NEVER;
  }
  return parsed.data as SessionEvent;
}) as unknown as z.ZodType<SessionEvent>;

/** Does this event type belong to the session aggregate? (for consumers that see every type) */
export const isSessionEventType = (type: string): boolean => schemaOf(type) !== undefined;
