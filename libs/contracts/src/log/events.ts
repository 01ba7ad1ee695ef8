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

export const LogRoutes = {
  listEvents: queryRoute('search-service', 'events.list', ListEventsQuery, EventPage),
} as const;
