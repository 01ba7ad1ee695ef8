import { z } from 'zod';
import { Actor } from '../common/actor';
import { queryRoute } from '../common/rpc';

/** One event of the log as `GET /events` pages it (the search service's `orchestration_events`). */
export const LoggedEvent = z.object({
  seq: z.number().int(),
  id: z.string(),
  type: z.string(),
  aggregateType: z.string(),
  aggregateId: z.string(),
  version: z.number().int(),
  occurredAt: z.string(),
  actor: Actor,
  correlationId: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type LoggedEvent = z.infer<typeof LoggedEvent>;

export const ListEventsQuery = z.strictObject({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  /** An exact type, or a glob with `*` for one segment and `>` at the end, e.g. `orchestration.task.*`. */
  type: z.string().regex(/^[a-z0-9_.*>]{1,200}$/, 'must be an event type or a glob like orchestration.task.*').optional(),
});
export type ListEventsQuery = z.infer<typeof ListEventsQuery>;

export const EventPage = z.object({ items: z.array(LoggedEvent), nextAfter: z.number().int() });
export type EventPage = z.infer<typeof EventPage>;

/**
 * The one meaning of an event-type glob, wherever types are filtered (the log's pages, the live
 * stream, webhook subscriptions): `*` is one segment; a last `>` (or `**`) is one or more.
 * Valid as a JS and a Postgres regex.
 */
export function typeGlobToRegex(glob: string): string {
  const parts = glob.split('.');
  const body = parts
    .map((part, i) => (part === '*' ? '[^.]+' : part === '>' || (part === '**' && i === parts.length - 1) ? '.+' : part.replace(/[^a-z0-9_]/g, (c) => `\\${c}`)))
    .join('\\.');
  return `^${body}$`;
}

const TypeGlobs = z
  .string()
  .max(2000)
  .regex(/^[a-z0-9_.*>]{1,200}(,[a-z0-9_.*>]{1,200})*$/, 'must be event types or globs like orchestration.task.*, comma-separated');
const ScopeId = z.string().min(1).max(200).regex(/^[A-Za-z0-9_.:-]+$/, 'must be an id (letters, digits, _ . : -)');

/**
 * `GET /events/stream`: the live log as Server-Sent Events. `after` (or the `Last-Event-ID`
 * header, which wins) resumes after a stream sequence; without either the stream starts now.
 */
export const StreamEventsQuery = z.strictObject({
  after: z.coerce.number().int().min(0).optional(),
  types: TypeGlobs.optional(),
  sessionKey: ScopeId.optional(),
  taskCode: ScopeId.optional(),
  sprintCode: ScopeId.optional(),
  aggregateType: ScopeId.optional(),
  aggregateId: ScopeId.optional(),
});
export type StreamEventsQuery = z.infer<typeof StreamEventsQuery>;

export const LogRoutes = {
  listEvents: queryRoute('search-service', 'events.list', ListEventsQuery, EventPage),
} as const;
