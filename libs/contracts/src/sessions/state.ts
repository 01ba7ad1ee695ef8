import { z } from 'zod';
import { commandRoute, queryRoute } from '../common/rpc';
import { Instructions } from './instructions';
import { SessionKey, StateKey } from './session';

/**
 * Scoped session state (issue 12 item 3). `shared`: every agent of the session (the state of
 * `PATCH /sessions/:key/context`); `private`: one caller's own entries, keyed by its id, which
 * only it (and an admin) can read; `temporary`: kept in Redis for `ttlSeconds`, never in the log.
 * Shared and private entries are events, versioned per entry for `If-Match`.
 */
export const StateScope = z.enum(['shared', 'private', 'temporary']);
export type StateScope = z.infer<typeof StateScope>;
/** The scopes that are events in the log, and so have a history. */
export const LoggedStateScope = z.enum(['shared', 'private'], { error: 'must be shared or private: temporary entries keep no history (they are never in the log)' });
export type LoggedStateScope = z.infer<typeof LoggedStateScope>;

/** Most bytes of one value, as JSON. */
export const MAX_STATE_VALUE_BYTES = 32 * 1024;
/** A temporary entry lives at most a week; anything longer is shared or private state. */
export const MAX_STATE_TTL_SECONDS = 7 * 24 * 3600;
/** Entries per scope and owner: state is a scratchpad, not a database. */
export const MAX_STATE_ENTRIES = 500;

const jsonBytes = (v: unknown): number => Buffer.byteLength(JSON.stringify(v) ?? '', 'utf8');

const StateValue = z
  .unknown()
  .refine((v) => v !== undefined, 'is required (any JSON value, null too)')
  .refine((v) => v === undefined || jsonBytes(v) <= MAX_STATE_VALUE_BYTES, `must be at most ${MAX_STATE_VALUE_BYTES} bytes (32 KB) of JSON`);

/** The owner of a private entry as an admin names it (`?agent=`): a caller id. */
export const StateOwner = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, 'must be the id of an agent (or another caller)');

/** `PUT /sessions/:key/state/:name`; `If-Match` carries the entry's version (`"0"`: only if it does not exist). */
export const PutStateBody = z
  .strictObject({
    value: StateValue,
    scope: StateScope.default('shared'),
    ttlSeconds: z.number().int('must be a whole number of seconds').min(1).max(MAX_STATE_TTL_SECONDS).optional(),
  })
  .refine((b) => b.scope !== 'temporary' || b.ttlSeconds !== undefined, { path: ['ttlSeconds'], message: 'is required with scope temporary (seconds until the entry is gone)' })
  .refine((b) => b.scope === 'temporary' || b.ttlSeconds === undefined, { path: ['ttlSeconds'], message: 'is only for scope temporary: shared and private entries stay until removed' });
export type PutStateBody = z.infer<typeof PutStateBody>;

const agentOnlyForPrivate = { path: ['agent'], message: 'is only for scope private (whose private entry to read)' };
export const StateEntryQuery = z.strictObject({ scope: StateScope.default('shared'), agent: StateOwner.optional() }).refine((q) => q.agent === undefined || q.scope === 'private', agentOnlyForPrivate);
export const StateRemoveQuery = z.strictObject({ scope: StateScope.default('shared') });
/** No scope: every entry the caller may read (a viewer: the shared ones). */
export const StateListQuery = z.strictObject({ scope: StateScope.optional() });
export const StateHistoryQuery = z
  .strictObject({ scope: LoggedStateScope.default('shared'), agent: StateOwner.optional(), limit: z.coerce.number().int().min(1).max(500).default(100) })
  .refine((q) => q.agent === undefined || q.scope === 'private', agentOnlyForPrivate);

export const StateEntry = z.object({
  name: z.string(),
  scope: StateScope,
  value: z.unknown(),
  /** Writes of this entry so far (its ETag); a removal counts too. */
  version: z.number().int(),
  /** Whose private entry this is; null for shared and temporary ones. */
  owner: z.string().nullable(),
  updatedAt: z.string(),
  updatedBy: z.string(),
  /** When a temporary entry is gone; null for the others. */
  expiresAt: z.string().nullable(),
});
export type StateEntry = z.infer<typeof StateEntry>;

export const StateEntryReply = StateEntry.extend({ sessionKey: SessionKey, removed: z.boolean(), instructions: Instructions });
export type StateEntryReply = z.infer<typeof StateEntryReply>;

export const StateList = z.object({
  sessionKey: SessionKey,
  items: z.array(StateEntry),
  /** The version of the shared state as a whole (the ETag of `PATCH /sessions/:key/context`). */
  sharedVersion: z.number().int(),
});
export type StateList = z.infer<typeof StateList>;

export const StateChange = z.object({ version: z.number().int(), value: z.unknown(), removed: z.boolean(), at: z.string(), by: z.string(), seq: z.number().int() });
export const StateHistory = z.object({ sessionKey: SessionKey, name: z.string(), scope: LoggedStateScope, owner: z.string().nullable(), items: z.array(StateChange) });
export type StateHistory = z.infer<typeof StateHistory>;

const Target = { sessionKey: SessionKey.optional() };

export const SessionStateRoutes = {
  put: commandRoute('session-service', 'session.state_put', z.object({ ...Target, name: StateKey, body: PutStateBody }), StateEntryReply),
  remove: commandRoute('session-service', 'session.state_remove', z.object({ ...Target, name: StateKey, scope: StateScope.default('shared') }), StateEntryReply),
  get: queryRoute('session-service', 'session.state_get', z.object({ ...Target, name: StateKey, scope: StateScope.default('shared'), agent: StateOwner.optional() }), StateEntry),
  list: queryRoute('session-service', 'session.state_list', z.object({ ...Target, scope: StateScope.optional() }), StateList),
  history: queryRoute('session-service', 'session.state_history', z.object({ ...Target, name: StateKey, scope: LoggedStateScope.default('shared'), agent: StateOwner.optional(), limit: z.number().int().min(1).max(500).default(100) }), StateHistory),
} as const;
