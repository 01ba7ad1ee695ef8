import { z } from 'zod';
import { Actor } from '../common/actor';
import { TaskCode } from '../common/ids';
import { ConversationSummary, utf8Bytes } from './turns';
import { PayloadTooLargeError } from '@orch/errors';

/** `sess_<TASK>_<yyyymmdd>_<hhmmss>` (the seeds' key); also the session aggregate's id. */
export const SessionKey = z
  .string()
  .regex(/^sess_TSK-[A-Za-z0-9_-]{1,60}_\d{8}_\d{6}$/, 'must look like sess_TSK-001_20260101_120000');
export type SessionKey = z.infer<typeof SessionKey>;

/** Builds the key of a session of `taskCode` started at `at` (UTC). */
export function sessionKeyOf(taskCode: string, at: Date): string {
  const iso = at.toISOString();
  return `sess_${taskCode}_${iso.slice(0, 10).replace(/-/g, '')}_${iso.slice(11, 19).replace(/:/g, '')}`;
}

/** The task code inside a session key (the part between `sess_` and the timestamp). */
export function taskCodeOfSessionKey(key: string): string {
  return key.slice('sess_'.length, key.length - '_yyyymmdd_hhmmss'.length);
}

export const SessionStatus = z.enum(['ACTIVE', 'SUSPENDED', 'COMPLETED', 'FAILED']);
export type SessionStatus = z.infer<typeof SessionStatus>;

/** Phase names as the API shows them (`EXECUTE`); templates and event types spell them lower-case. */
export const PhaseName = z.string().regex(/^[A-Z][A-Z_]{0,31}$/, 'must be a phase name such as EXECUTE');
export type PhaseName = z.infer<typeof PhaseName>;

/** Free text that enters the log; the service scans it for secrets before appending. */
export const NoteText = z.string().trim().min(1, 'must not be empty').max(20_000);
/** Artifact names are file names (`PLAN.md`), never paths. */
export const ArtifactName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be a file name such as PLAN.md (letters, digits, ".", "_", "-")');
export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 in lower-case hex');
/** Artifact content is at most 256 KB of UTF-8 (bytes, not characters): 413 `SESSION.ARTIFACT_TOO_LARGE` beyond. */
export const MAX_ARTIFACT_BYTES = 256 * 1024;
/**
 * Artifact content is limited in bytes of UTF-8, which a schema cannot say (zod counts characters:
 * 256 K three-byte characters are 768 KB). The gateway checks it before the body crosses NATS and
 * the session service again; too large is 413, not 400.
 */
export function assertArtifactFits(content: string | undefined): void {
  if (content === undefined) return;
  const bytes = utf8Bytes(content);
  if (bytes > MAX_ARTIFACT_BYTES) {
    throw new PayloadTooLargeError('SESSION.ARTIFACT_TOO_LARGE', `The artifact content is ${bytes} bytes of UTF-8; the limit is ${MAX_ARTIFACT_BYTES} (256 KB): register a uri + sha256 instead`);
  }
}
export const StateKey = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'must be 1-128 letters, digits, ".", "_", ":" or "-"');
export const CommitHash = z.string().regex(/^[0-9a-f]{7,64}$/, 'must be a git commit hash in hex');
/** Values of the template's `validation` fields (e.g. `summary`, `test_results`). */
export const PhaseFields = z.record(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a field name such as summary'), z.string().max(20_000)).refine((r) => Object.keys(r).length <= 50, 'at most 50 fields');

export const MissingItem = z.object({ kind: z.enum(['artifact', 'field', 'summary', 'progress']), name: z.string(), hint: z.string() });
export type MissingItemView = z.infer<typeof MissingItem>;

export const PhaseRecord = z.object({
  phase: PhaseName,
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  durationMs: z.number().int().nullable(),
  overridden: z.boolean(),
});
export type PhaseRecord = z.infer<typeof PhaseRecord>;

export const ArtifactView = z.object({
  name: z.string(),
  sha256: Sha256,
  size: z.number().int(),
  uri: z.string().nullable(),
  hasContent: z.boolean(),
  phase: PhaseName,
  registeredAt: z.string(),
});
export type ArtifactView = z.infer<typeof ArtifactView>;

export const CommitView = z.object({
  hash: z.string(),
  shortHash: z.string(),
  message: z.string(),
  author: z.string(),
  phase: PhaseName,
  capturedAt: z.string(),
});
export type CommitView = z.infer<typeof CommitView>;

export const PullRequestView = z.object({ url: z.string(), provider: z.enum(['github', 'gitlab']), number: z.number().int(), linkedAt: z.string() });
export type PullRequestView = z.infer<typeof PullRequestView>;

export const NoteView = z.object({ kind: z.enum(['note', 'progress']), text: z.string(), phase: PhaseName, at: z.string(), by: z.string() });
export type NoteView = z.infer<typeof NoteView>;

/** A session as its aggregate knows it; `version` is the aggregate version (the ETag). */
export const SessionView = z.object({
  sessionKey: SessionKey,
  taskCode: TaskCode,
  sprintCode: z.string().nullable(),
  template: z.string(),
  phases: z.array(PhaseName),
  status: SessionStatus,
  currentPhase: PhaseName,
  agentId: z.string().nullable(),
  startedBy: Actor,
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  phaseHistory: z.array(PhaseRecord),
  artifacts: z.array(ArtifactView),
  fields: z.record(z.string(), z.string()),
  notes: z.array(NoteView),
  commits: z.array(CommitView),
  pullRequest: PullRequestView.nullable(),
  changes: z.object({ files: z.array(z.string()), diffSummary: z.string().nullable() }).nullable(),
  state: z.record(z.string(), z.unknown()),
  stateVersion: z.number().int(),
  /** Turns recorded (`POST /sessions/:key/conversation`) and the tokens they claimed, summed. */
  conversation: ConversationSummary,
  activeMs: z.number().int(),
  estimateMinutes: z.number().int().nullable(),
  version: z.number().int(),
});
export type SessionView = z.infer<typeof SessionView>;
