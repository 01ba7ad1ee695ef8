import { z } from 'zod';

export const BugCategory = z.enum(['syntax', 'type', 'reference', 'runtime', 'database', 'network', 'timeout', 'permission', 'validation', 'dependency', 'assertion', 'unknown']);
export type BugCategory = z.infer<typeof BugCategory>;

export const BugStatus = z.enum(['OPEN', 'RESOLVED']);
export type BugStatus = z.infer<typeof BugStatus>;

/** The bug id: the sha256 fingerprint in hex. */
export const BugHash = z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 fingerprint in hex');

/** Where a report came from; an unknown task code is kept with a warning, never refused. */
const Ref = z.string().trim().min(1).max(128);

// ---- REST bodies ----

/**
 * The most of a stack or message that crosses the bus. A NATS message holds at most 1 MB, so an
 * oversized trace is cut at the edge with a note instead of failing; the service cuts further.
 */
export const MAX_REPORTED_CHARS = 256 * 1024;
const cut = (text: string): string =>
  text.length <= MAX_REPORTED_CHARS ? text : `${text.slice(0, MAX_REPORTED_CHARS)}\n… [truncated: ${text.length - MAX_REPORTED_CHARS} of ${text.length} characters dropped]`;

/** `POST /bugs`. Messages and stacks are sanitised and cut by the service, so only emptiness is refused here. */
export const LogBugBody = z.strictObject({
  message: z.string().refine((m) => m.trim() !== '', 'must not be empty').overwrite(cut),
  errorType: z.string().max(200).optional(),
  file: z.string().max(1000).optional(),
  line: z.number().int().min(0).optional(),
  stack: z.string().overwrite(cut).optional(),
  taskCode: Ref.optional(),
  sessionKey: Ref.optional(),
  agentId: Ref.optional(),
  projectRoot: z.string().max(1000).optional(),
});
export type LogBugBody = z.infer<typeof LogBugBody>;

/** `PATCH /bugs/:hash`. */
export const UpdateBugBody = z.strictObject({ status: z.literal('RESOLVED'), resolution: z.string().max(2000).optional() });
export type UpdateBugBody = z.infer<typeof UpdateBugBody>;

// ---- events ----

const Frame = z.object({ fn: z.string(), path: z.string() }).nullable();
const Occurrence = z.object({
  message: z.string(),
  file: z.string().nullable(),
  line: z.number().int().nullable(),
  taskCode: z.string().nullable(),
  sessionId: z.string().nullable(),
  agentId: z.string().nullable(),
  /** Secrets cut from the message and stack before they were stored (0 in events from before redaction). */
  redactions: z.number().int().min(0).default(0),
});
export type BugOccurrence = z.infer<typeof Occurrence>;

export const BugLogged = z.object({
  type: z.literal('orchestration.bug.logged'),
  data: Occurrence.extend({
    hash: BugHash,
    fingerprintVersion: z.number().int(),
    errorClass: z.string(),
    template: z.string(),
    category: BugCategory,
    frame: Frame,
    stack: z.string().nullable(),
    notes: z.array(z.string()),
  }),
});
export const BugOccurred = z.object({ type: z.literal('orchestration.bug.occurred'), data: Occurrence });
export const BugResolved = z.object({ type: z.literal('orchestration.bug.resolved'), data: z.object({ resolution: z.string().nullable() }) });
export const BugRegressed = z.object({ type: z.literal('orchestration.bug.regressed'), data: Occurrence });
export const BugEvent = z.discriminatedUnion('type', [BugLogged, BugOccurred, BugResolved, BugRegressed]);
export type BugEvent = z.infer<typeof BugEvent>;
export type BugLoggedData = z.infer<typeof BugLogged>['data'];

// ---- replies and views ----

export const BugView = z.object({
  hash: BugHash,
  fingerprintVersion: z.number().int(),
  errorClass: z.string(),
  template: z.string(),
  category: BugCategory,
  message: z.string(),
  file: z.string().nullable(),
  line: z.number().int().nullable(),
  status: BugStatus,
  occurrenceCount: z.number().int(),
  regressionCount: z.number().int(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  lastTaskCode: z.string().nullable(),
  tasks: z.array(z.string()),
  sessions: z.array(z.string()),
  agents: z.array(z.string()),
  version: z.number().int(),
});
export type BugView = z.infer<typeof BugView>;

/** What `POST /bugs` answers: the bug, what this report was, and what a person may do next. */
export const BugLogReply = z.object({
  bug: BugView,
  outcome: z.enum(['new', 'recurring', 'regression']),
  warnings: z.array(z.string()),
  suggestedActions: z.array(z.enum(['fix', 'continue', 'context'])),
});
export type BugLogReply = z.infer<typeof BugLogReply>;

export const BugHashParams = z.strictObject({ hash: BugHash });
export type BugHashParams = z.infer<typeof BugHashParams>;

export const ListBugsQuery = z.strictObject({
  task: Ref.optional(),
  status: BugStatus.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type ListBugsQuery = z.infer<typeof ListBugsQuery>;

/** Most recently seen first. */
export const BugPage = z.object({ items: z.array(BugView) });
export type BugPage = z.infer<typeof BugPage>;
