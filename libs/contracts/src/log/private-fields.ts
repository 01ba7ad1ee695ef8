/**
 * Event fields only their owner may read, through the API that owns them (a private session state
 * entry: its agent and admins, via `/sessions/:key/state`). The log must hold them — it is the
 * source of truth — but the generic readers of the log (the events list, the SSE stream, search)
 * serve every reader, so they show these fields as `PRIVATE_PLACEHOLDER`, and search never
 * indexes them.
 */
export const PRIVATE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  'orchestration.session.private_state_updated': ['value'],
};

export const PRIVATE_PLACEHOLDER = '[private]';

/** The event's data with its private fields replaced; the same object when it has none. */
export function withoutPrivateFields(type: string, data: Record<string, unknown>): Record<string, unknown> {
  const fields = PRIVATE_FIELDS[type];
  if (!fields) return data;
  const copy = { ...data };
  for (const f of fields) if (f in copy) copy[f] = PRIVATE_PLACEHOLDER;
  return copy;
}
