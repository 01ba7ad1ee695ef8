import { z } from 'zod';
import { commandRoute, queryRoute } from '../common/rpc';
import type { Subjects } from '../common/subjects';
import { SessionKey } from './session';

/**
 * Agent logs per session (the seeds' orchestration logger): high-volume lines kept in their own
 * JetStream stream with limits-based retention, never in the event log. One subject per session.
 */

export const SESSION_LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'critical'] as const;
export const SessionLogLevel = z.enum(SESSION_LOG_LEVELS);
export type SessionLogLevel = z.infer<typeof SessionLogLevel>;

export const SESSION_LOG_SOURCES = ['orchestrator', 'agent', 'task', 'system'] as const;
export const SessionLogSource = z.enum(SESSION_LOG_SOURCES);
export type SessionLogSource = z.infer<typeof SessionLogSource>;

/** Lines per `POST /sessions/:key/logs`. */
export const MAX_SESSION_LOG_LINES = 500;
/** Characters of one line's message. */
export const MAX_SESSION_LOG_MESSAGE = 8_192;
/** One request's lines as JSON: a batch must fit one NATS message (1 MiB by default) with room to spare. */
export const MAX_SESSION_LOG_BATCH_BYTES = 768 * 1024;
const MAX_CONTEXT_KEYS = 32;
const MAX_CONTEXT_BYTES = 4_096;

/** A small flat object of extra fields (`{file: "src/a.ts", attempt: 2}`); values are scalars. */
export const SessionLogContext = z
  .record(z.string().min(1).max(64), z.union([z.string().max(1_000), z.number(), z.boolean(), z.null()]))
  .refine((c) => Object.keys(c).length <= MAX_CONTEXT_KEYS, `must have at most ${MAX_CONTEXT_KEYS} keys`)
  .refine((c) => JSON.stringify(c).length <= MAX_CONTEXT_BYTES, `must be at most ${MAX_CONTEXT_BYTES} characters of JSON`);
export type SessionLogContext = z.infer<typeof SessionLogContext>;

export const SessionLogLineInput = z.strictObject({
  level: SessionLogLevel,
  source: SessionLogSource,
  message: z.string().min(1, 'must not be empty').max(MAX_SESSION_LOG_MESSAGE, `must be at most ${MAX_SESSION_LOG_MESSAGE} characters (split longer output over several lines)`),
  /** When it happened, by the writer's clock; the time it was received when absent. */
  at: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time, e.g. 2026-01-01T12:00:00.000Z' }).optional(),
  context: SessionLogContext.optional(),
});
export type SessionLogLineInput = z.infer<typeof SessionLogLineInput>;

export const AppendSessionLogsBody = z.strictObject({
  lines: z
    .array(SessionLogLineInput)
    .min(1, 'must hold at least one line')
    .max(MAX_SESSION_LOG_LINES, `must hold at most ${MAX_SESSION_LOG_LINES} lines per request (send the rest in another request)`)
    .refine((lines) => Buffer.byteLength(JSON.stringify(lines)) <= MAX_SESSION_LOG_BATCH_BYTES, `must be at most ${MAX_SESSION_LOG_BATCH_BYTES / 1024} KiB of JSON per request (send fewer lines at a time)`),
});
export type AppendSessionLogsBody = z.infer<typeof AppendSessionLogsBody>;

/** `<stream seq>:<line index>`: where a line is; `since` takes one to page on after it. */
export const SessionLogCursor = z.string().regex(/^\d{1,15}:\d{1,4}$/, 'must be a cursor such as 1042:17');
export type SessionLogCursor = z.infer<typeof SessionLogCursor>;

export const AppendSessionLogsReply = z.object({
  sessionKey: SessionKey,
  accepted: z.number().int(),
  /** Secrets cut out of messages and context values before they were stored. */
  redactions: z.number().int(),
  first: SessionLogCursor,
  last: SessionLogCursor,
  warnings: z.array(z.string()),
});
export type AppendSessionLogsReply = z.infer<typeof AppendSessionLogsReply>;

export const SessionLogLine = z.object({
  cursor: SessionLogCursor,
  level: SessionLogLevel,
  source: SessionLogSource,
  message: z.string(),
  at: z.string(),
  /** When the service stored it. */
  receivedAt: z.string(),
  context: z.record(z.string(), z.unknown()).optional(),
});
export type SessionLogLine = z.infer<typeof SessionLogLine>;

const SINCE = /^(\d{1,15})(?::(\d{1,4}))?$/;

/** `since`: an ISO time (lines received from then on) or a cursor / stream sequence (lines after it). */
export type SessionLogSince = { time: string } | { seq: number; index: number | null };

/** Reads `since`; null when it is neither a time nor a cursor. */
export function parseSessionLogSince(value: string): SessionLogSince | null {
  const cursor = SINCE.exec(value);
  if (cursor) return { seq: Number(cursor[1]), index: cursor[2] === undefined ? null : Number(cursor[2]) };
  if (!z.iso.datetime({ offset: true }).safeParse(value).success) return null;
  return { time: new Date(value).toISOString() };
}

export const SessionLogsQuery = z.strictObject({
  /** The lowest level shown: `warn` shows warn, error and critical. */
  level: SessionLogLevel.optional(),
  source: SessionLogSource.optional(),
  /** Case-insensitive substring of the message. */
  q: z.string().min(1).max(200).optional(),
  since: z.string().max(40).refine((v) => parseSessionLogSince(v) !== null, 'must be an ISO time (2026-01-01T12:00:00Z), a cursor (1042:17) or a stream sequence').optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type SessionLogsQuery = z.infer<typeof SessionLogsQuery>;

/** The export takes the same filters, without a page size: it streams every matching line. */
export const SessionLogsExportQuery = SessionLogsQuery.omit({ limit: true });
export type SessionLogsExportQuery = z.infer<typeof SessionLogsExportQuery>;

export const SessionLogPage = z.object({
  sessionKey: SessionKey,
  items: z.array(SessionLogLine),
  /** Pass as `since` for the next page (or the next poll when following); null when the session has no lines yet. */
  next: SessionLogCursor.nullable(),
  /** The page stopped at `limit` (or at its size bound) before the end of what is stored. */
  more: z.boolean(),
});
export type SessionLogPage = z.infer<typeof SessionLogPage>;

const counts = <T extends readonly string[]>(names: T) => z.object(Object.fromEntries(names.map((n) => [n, z.number().int()])) as Record<T[number], z.ZodNumber>);

export const SessionLogStats = z.object({
  sessionKey: SessionKey,
  total: z.number().int(),
  byLevel: counts(SESSION_LOG_LEVELS),
  bySource: counts(SESSION_LOG_SOURCES),
  /** (error + critical) / total; 0 without lines. */
  errorRate: z.number(),
  /** When the oldest and newest stored lines were received. */
  firstAt: z.string().nullable(),
  lastAt: z.string().nullable(),
});
export type SessionLogStats = z.infer<typeof SessionLogStats>;

/** Lower rank = less severe; `level=warn` keeps ranks ≥ warn's. */
export const sessionLogLevelRank = (level: SessionLogLevel): number => SESSION_LOG_LEVELS.indexOf(level);

/** Subjects and the stream of session logs, beside the event log's (same prefix, own stream). */
export const SessionLogSubjects = {
  /** `<prefix>.logs.<sessionKey>`: one session's lines, so reading them is a subject-filtered read. */
  of: (subjects: Subjects, sessionKey: string): string => `${subjects.prefix}.logs.${SessionKey.parse(sessionKey)}`,
  all: (subjects: Subjects): string => `${subjects.prefix}.logs.>`,
  /** `<NATS_STREAM>_LOGS`. */
  stream: (eventStream: string): string => `${eventStream}_LOGS`,
} as const;

const Target = { sessionKey: SessionKey };

export const SessionLogRoutes = {
  append: commandRoute('session-service', 'logs.append', z.object({ ...Target, body: AppendSessionLogsBody }), AppendSessionLogsReply),
  list: queryRoute('session-service', 'logs.list', z.object({ ...Target, query: SessionLogsQuery }), SessionLogPage),
  stats: queryRoute('session-service', 'logs.stats', z.object(Target), SessionLogStats),
} as const;
