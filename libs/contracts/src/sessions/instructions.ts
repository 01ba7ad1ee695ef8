import { z } from 'zod';
import { ArtifactView, CommitView, MissingItem, NoteView, PhaseName, PhaseRecord, SessionKey, SessionStatus, SessionView } from './session';
import { ConversationSummary, SessionTurn } from './turns';

/**
 * What every session answer carries so an agent can do the next right thing (the seeds'
 * "instruction responses"): built from the template's `next_step` and the session's state.
 */
export const Instructions = z.object({
  nextActions: z.array(z.string()),
  /** Real `orch` commands that would work as printed. */
  suggestedCommands: z.array(z.string()),
  missing: z.array(MissingItem),
  /** The current phase's template hooks, which the CLI runs (e.g. `git.capture_commit_hash` on EXECUTE start). */
  phaseHooks: z.object({ onStart: z.array(z.string()), onEnd: z.array(z.string()) }),
  /** The `git.*` settings the CLI follows, with the commit message template filled in for this task. */
  git: z.object({ enabled: z.boolean(), trackCommits: z.boolean(), autoCommit: z.boolean(), commitMessage: z.string() }).optional(),
  contextReminder: z.object({
    activeTask: z.string(),
    sessionKey: SessionKey,
    phase: PhaseName,
    status: SessionStatus,
    timeElapsed: z.string(),
    timeElapsedMs: z.number().int(),
    /** The task's estimate as it is now (PATCH /tasks/:code moves it), not as it was at session start. */
    estimateMinutes: z.number().int().nullable(),
    /** Active time on the task across all its sessions (this one included): what the estimate is compared with. Always sent. */
    taskTimeMs: z.number().int().optional(),
    taskTimeSpent: z.string().optional(),
  }),
});
export type Instructions = z.infer<typeof Instructions>;

/** One thing that happened in the session, as the briefing lists it. */
export const ActionView = z.object({ seq: z.number().int(), at: z.string(), type: z.string(), by: z.string(), summary: z.string() });
export type ActionView = z.infer<typeof ActionView>;

export const BriefingBug = z.object({ hash: z.string(), message: z.string(), category: z.string(), occurrenceCount: z.number().int(), lastSeen: z.string() });

/**
 * The resume briefing (SPEC §4.1): everything a fresh agent needs to carry on a session, in one
 * answer. `openGate` is what the current phase still lacks; `lastActions` the newest first.
 */
export const Briefing = z.object({
  session: z.object({ sessionKey: SessionKey, status: SessionStatus, template: z.string(), agentId: z.string().nullable(), startedAt: z.string(), version: z.number().int() }),
  task: z.object({ code: z.string(), sprintCode: z.string().nullable(), title: z.string(), status: z.string().nullable(), estimateMinutes: z.number().int().nullable() }),
  currentPhase: PhaseName,
  phaseGoal: z.string(),
  phases: z.array(PhaseName),
  phaseHistory: z.array(PhaseRecord),
  artifacts: z.array(ArtifactView),
  openGate: z.array(MissingItem),
  lastActions: z.array(ActionView),
  notes: z.array(NoteView),
  /** The last turns of the conversation, oldest first (`turns`, default SESSION_BRIEFING_TURNS), so a fresh agent can continue it. */
  recentTurns: z.array(SessionTurn),
  conversation: ConversationSummary,
  openBugs: z.array(BriefingBug),
  /** Null when the bug service did not answer in time: the briefing never fails over it. */
  bugsUnavailable: z.boolean(),
  commits: z.array(CommitView),
  pullRequest: SessionView.shape.pullRequest,
  /** `activeMs` is this session's; `taskActiveMs` the task's across its sessions, which `overEstimate` compares with the current estimate. */
  time: z.object({ activeMs: z.number().int(), timeSpent: z.string(), perPhaseMs: z.record(z.string(), z.number().int()), estimateMinutes: z.number().int().nullable(), taskActiveMs: z.number().int(), taskTimeSpent: z.string(), overEstimate: z.boolean() }),
  instructions: Instructions,
});
export type Briefing = z.infer<typeof Briefing>;

/** What session commands answer: the session, and what to do next. */
export const SessionReply = z.object({
  session: SessionView,
  instructions: Instructions,
  /** `started`: a new session; `existing`: the task's ACTIVE one; `resumed`: a SUSPENDED one taken up. */
  outcome: z.enum(['started', 'existing', 'resumed', 'updated', 'advanced', 'overridden', 'ended']).optional(),
  briefing: Briefing.optional(),
  warnings: z.array(z.string()).default([]),
  /** The session's aggregate version (ETag). */
  version: z.number().int(),
});
export type SessionReply = z.infer<typeof SessionReply>;
