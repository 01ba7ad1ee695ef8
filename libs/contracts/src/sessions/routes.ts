import { z } from 'zod';
import { SprintCode, TaskCode } from '../common/ids';
import { commandRoute, queryRoute } from '../common/rpc';
import { Briefing, Instructions, SessionReply } from './instructions';
import { PhaseEventName } from './events';
import { ArtifactName, CommitHash, MAX_ARTIFACT_BYTES, NoteText, PhaseFields, PhaseName, SessionKey, SessionStatus, SessionView, Sha256, StateKey } from './session';

const AgentId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/, 'must be an agent id');
const Reason = z.string().trim().min(1, 'must not be empty').max(2_000);

// ---- REST bodies (SPEC §6) ----

export const StartSessionBody = z.strictObject({ taskCode: TaskCode, agentId: AgentId.optional() });
export type StartSessionBody = z.infer<typeof StartSessionBody>;

export const PhaseCompleteBody = z
  .strictObject({
    override: z.boolean().optional(),
    reason: Reason.optional(),
    fields: PhaseFields.optional(),
    /** The phase the caller believes it completes; 409 when the session is elsewhere. Defaults to the current one. */
    phase: PhaseName.optional(),
    /** With `allow_phase_skip`: the phase to go to instead of the next one. */
    to: PhaseName.optional(),
  })
  .refine((b) => !b.override || !!b.reason, { path: ['reason'], message: 'is required with override (say why the gate is skipped)' });
export type PhaseCompleteBody = z.infer<typeof PhaseCompleteBody>;

export const EndSessionBody = z.strictObject({ force: z.boolean().optional(), reason: Reason.optional(), summary: NoteText.optional(), status: SessionStatus.extract(['COMPLETED', 'FAILED']).optional() });
export type EndSessionBody = z.infer<typeof EndSessionBody>;

export const ResumeSessionBody = z.strictObject({ agentId: AgentId.optional(), reason: Reason.optional() });
export type ResumeSessionBody = z.infer<typeof ResumeSessionBody>;

export const SuspendSessionBody = z.strictObject({ reason: Reason.optional() });
export const NoteBody = z.strictObject({ text: NoteText });
export const ProgressBody = z.strictObject({
  text: NoteText,
  percent: z.number().int().min(0).max(100).optional(),
  /** An event the current phase's template declares (e.g. `step_complete` in EXECUTE), emitted with the update; 422 when it does not. */
  event: PhaseEventName.optional(),
});

export const ArtifactBody = z
  .strictObject({
    name: ArtifactName,
    /** At most MAX_ARTIFACT_BYTES of UTF-8, checked in bytes by the gateway and the service (413), not here. */
    content: z.string().describe(`at most ${MAX_ARTIFACT_BYTES} bytes of UTF-8 (256 KB); larger is 413 SESSION.ARTIFACT_TOO_LARGE: register a uri instead`).optional(),
    uri: z.string().url('must be a URI').max(2_000).optional(),
    sha256: Sha256.optional(),
  })
  .refine((b) => b.content !== undefined || b.uri !== undefined || b.sha256 !== undefined, { message: 'give content, a uri or a sha256' })
  .refine((b) => !(b.content !== undefined && b.uri !== undefined), { message: 'give content or a uri, not both' })
  .refine((b) => b.content !== undefined || b.sha256 !== undefined, { path: ['sha256'], message: 'is required with a uri (the service cannot read it)' });
export type ArtifactBody = z.infer<typeof ArtifactBody>;

export const RecordCommitBody = z.strictObject({
  hash: CommitHash,
  message: z.string().max(10_000),
  author: z.string().min(1).max(500),
  phase: PhaseName.optional(),
});
export type RecordCommitBody = z.infer<typeof RecordCommitBody>;

export const ChangesBody = z.strictObject({ files: z.array(z.string().min(1).max(1_000)).max(5_000), diffSummary: z.string().max(10_000).nullable().optional() });
export type ChangesBody = z.infer<typeof ChangesBody>;

/** `PATCH /sessions/:key/context`: shared key/value state; `If-Match` carries `stateVersion`. */
export const StatePatchBody = z
  .strictObject({ set: z.record(StateKey, z.unknown()).optional(), remove: z.array(StateKey).max(100).optional() })
  .refine((b) => Object.keys(b.set ?? {}).length + (b.remove?.length ?? 0) > 0, 'set or remove at least one key')
  .refine((b) => JSON.stringify(b.set ?? {}).length <= 64 * 1024, { path: ['set'], message: 'must be at most 64 KB of JSON' });
export type StatePatchBody = z.infer<typeof StatePatchBody>;

export const DoneBody = z.strictObject({ summary: NoteText.optional(), force: z.boolean().optional(), reason: Reason.optional() });
export type DoneBody = z.infer<typeof DoneBody>;

export const PullRequestBody = z.strictObject({ url: z.string().url('must be a URL').max(2_000) });

export const BriefingQuery = z.strictObject({
  actions: z.coerce.number().int().min(1).max(50).default(3),
  /** Turns of the conversation to include; the service's SESSION_BRIEFING_TURNS when absent. */
  turns: z.coerce.number().int().min(0).max(50).optional(),
});

export const ListSessionsQuery = z.strictObject({
  task: TaskCode.optional(),
  status: SessionStatus.optional(),
  agent: AgentId.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export type ListSessionsQuery = z.infer<typeof ListSessionsQuery>;

/** A caller's current context (SPEC §4.1 "context scoping"). */
export const MeContext = z.object({ sprintCode: SprintCode.nullable(), taskCode: TaskCode.nullable(), sessionKey: SessionKey.nullable() });
export type MeContext = z.infer<typeof MeContext>;
export const PutMeContextBody = z.strictObject({ sprintCode: SprintCode.nullable().optional(), taskCode: TaskCode.nullable().optional(), sessionKey: SessionKey.nullable().optional() });
export type PutMeContextBody = z.infer<typeof PutMeContextBody>;

export const SessionRow = SessionView.pick({ sessionKey: true, taskCode: true, sprintCode: true, status: true, currentPhase: true, agentId: true, startedAt: true, endedAt: true, activeMs: true, version: true });
export const SessionPage = z.object({ items: z.array(SessionRow) });

export const StateReply = z.object({ sessionKey: SessionKey, state: z.record(z.string(), z.unknown()), version: z.number().int(), instructions: Instructions });
export const ChangesMarkdown = z.object({ markdown: z.string() });
export const ArtifactContent = z.object({ name: z.string(), sha256: Sha256, size: z.number().int(), uri: z.string().nullable(), content: z.string().nullable() });
export type ArtifactContent = z.infer<typeof ArtifactContent>;

// ---- NATS routes: `sessionKey` absent = the caller's current session (its context) ----

const Target = { sessionKey: SessionKey.optional() };
const on = <S extends z.ZodType>(body: S) => z.object({ ...Target, body });

export const SessionRoutes = {
  start: commandRoute('session-service', 'session.start', StartSessionBody, SessionReply),
  get: queryRoute('session-service', 'session.get', z.object(Target), SessionReply),
  list: queryRoute('session-service', 'session.list', ListSessionsQuery, SessionPage),
  briefing: queryRoute('session-service', 'session.briefing', z.object({ ...Target, actions: z.number().int().min(1).max(50).default(3), turns: z.number().int().min(0).max(50).optional() }), Briefing),
  phaseComplete: commandRoute('session-service', 'session.phase_complete', on(PhaseCompleteBody), SessionReply),
  end: commandRoute('session-service', 'session.end', on(EndSessionBody), SessionReply),
  resume: commandRoute('session-service', 'session.resume', on(ResumeSessionBody), SessionReply),
  suspend: commandRoute('session-service', 'session.suspend', on(SuspendSessionBody), SessionReply),
  note: commandRoute('session-service', 'session.note', on(NoteBody), SessionReply),
  progress: commandRoute('session-service', 'session.progress', on(ProgressBody), SessionReply),
  artifact: commandRoute('session-service', 'session.artifact', on(ArtifactBody), SessionReply),
  commit: commandRoute('session-service', 'session.commit', on(RecordCommitBody), SessionReply),
  changes: commandRoute('session-service', 'session.changes', on(ChangesBody), SessionReply),
  state: commandRoute('session-service', 'session.state', on(StatePatchBody), StateReply),
  done: commandRoute('session-service', 'session.done', z.object({ ...Target, taskCode: TaskCode.optional(), body: DoneBody }), SessionReply),
  linkPullRequest: commandRoute('session-service', 'session.link_pr', z.object({ taskCode: TaskCode, url: PullRequestBody.shape.url }), SessionReply),
  artifactContent: queryRoute('session-service', 'session.artifact_content', z.object({ sessionKey: SessionKey, name: ArtifactName }), ArtifactContent),
  changesMarkdown: queryRoute('session-service', 'session.changes_md', z.object({ taskCode: TaskCode }), ChangesMarkdown),
  getContext: queryRoute('session-service', 'context.get', z.object({}), MeContext),
  putContext: commandRoute('session-service', 'context.put', PutMeContextBody, MeContext),
} as const;
