import { MAX_STATE_ENTRIES, type Actor, type SessionEvent, type StateEntry, type StateScope } from '@orch/contracts';
import { ForbiddenError, NotFoundError, PreconditionFailedError, RuleViolation } from '@orch/errors';
import type { EventMeta } from '@orch/event-store';
import type { Session } from './session';

/**
 * Scoped state, the pure part (issue 12 item 3): per-entry versions of the shared state, the
 * private entries of each caller, who may read which scope, and the decision of a put or a
 * removal. Temporary entries never reach the aggregate (they live in Redis, see temporary-state).
 */

/** What the aggregate knows of one entry beyond its value; a removed entry keeps its version. */
export interface EntryMeta {
  version: number;
  at: string;
  by: string;
  removed: boolean;
}
export interface PrivateEntry extends EntryMeta {
  value: unknown;
}

export type LoggedScope = Exclude<StateScope, 'temporary'>;

export interface PutStateEntry {
  type: 'PutStateEntry';
  scope: LoggedScope;
  name: string;
  /** Absent with `remove`. */
  value?: unknown;
  remove: boolean;
  /** The caller a private entry belongs to. */
  owner: string;
  /** From `If-Match`: the entry's version the caller saw (0: it must not exist yet). */
  expectedVersion?: number;
}

/** Own properties only: a state key such as `constructor` must never read Object.prototype. */
export const own = <T>(record: Record<string, T>, key: string): T | undefined => (Object.hasOwn(record, key) ? record[key] : undefined);

/** Evolve: each key a `state_updated` sets or removes gets its next version. */
export function touchShared(meta: Record<string, EntryMeta>, set: string[], removed: string[], em: EventMeta): Record<string, EntryMeta> {
  const next = { ...meta };
  for (const name of set) next[name] = { version: (own(meta, name)?.version ?? 0) + 1, at: em.occurredAt, by: em.actor.id, removed: false };
  for (const name of removed) next[name] = { version: (own(meta, name)?.version ?? 0) + 1, at: em.occurredAt, by: em.actor.id, removed: true };
  return next;
}

type PrivateData = Extract<SessionEvent, { type: 'orchestration.session.private_state_updated' }>['data'];

/** Evolve: a private entry set or removed, under its owner. */
export function applyPrivate(all: Record<string, Record<string, PrivateEntry>>, d: PrivateData, em: EventMeta): Record<string, Record<string, PrivateEntry>> {
  const mine = own(all, d.owner) ?? {};
  const entry: PrivateEntry = { value: d.removed ? null : d.value, version: d.version, at: em.occurredAt, by: em.actor.id, removed: d.removed };
  return { ...all, [d.owner]: { ...mine, [d.name]: entry } };
}

/** The entry as it stands (removed ones too, for their version), or undefined if never written. */
function current(s: Session, scope: LoggedScope, owner: string, name: string): (EntryMeta & { value: unknown }) | undefined {
  if (scope === 'private') return own(own(s.privateState, owner) ?? {}, name);
  const meta = own(s.stateMeta, name);
  if (!meta) return undefined;
  const exists = Object.hasOwn(s.state, name);
  return { ...meta, removed: !exists, value: exists ? s.state[name] : null };
}

const liveCount = (s: Session, scope: LoggedScope, owner: string) =>
  scope === 'shared' ? Object.keys(s.state).length : Object.values(own(s.privateState, owner) ?? {}).filter((e) => !e.removed).length;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Decide a put or a removal on an open session: one event, none when nothing changes. */
export function decideStateEntry(c: PutStateEntry, s: Session): SessionEvent[] {
  const base = { sessionKey: s.key, taskCode: s.taskCode, sprintCode: s.sprintCode };
  const entry = current(s, c.scope, c.owner, c.name);
  const version = entry?.version ?? 0;
  if (c.expectedVersion !== undefined && c.expectedVersion !== version) {
    throw new PreconditionFailedError('SESSION.STATE_VERSION_MISMATCH', `The ${c.scope} entry ${c.name} of ${s.key} is at version ${version}, not ${c.expectedVersion}`, { currentVersion: version, name: c.name, scope: c.scope });
  }
  const exists = entry !== undefined && !entry.removed;
  if (c.remove) {
    if (!exists) throw new NotFoundError('SESSION.STATE_NOT_FOUND', `Session ${s.key} has no ${c.scope} entry ${c.name}`);
    if (c.scope === 'shared') return [{ type: 'orchestration.session.state_updated', data: { ...base, set: {}, removed: [c.name], stateVersion: s.stateVersion + 1 } }];
    return [{ type: 'orchestration.session.private_state_updated', data: { ...base, owner: c.owner, name: c.name, value: null, removed: true, version: version + 1 } }];
  }
  if (exists && same(entry.value, c.value)) return []; // a retried PUT, or nothing new
  if (!exists && liveCount(s, c.scope, c.owner) >= MAX_STATE_ENTRIES) {
    throw new RuleViolation('SESSION.STATE_FULL', `Session ${s.key} holds ${MAX_STATE_ENTRIES} ${c.scope} entries${c.scope === 'private' ? ` of ${c.owner}` : ''}, the most it takes: remove some first`);
  }
  if (c.scope === 'shared') return [{ type: 'orchestration.session.state_updated', data: { ...base, set: { [c.name]: c.value }, removed: [], stateVersion: s.stateVersion + 1 } }];
  return [{ type: 'orchestration.session.private_state_updated', data: { ...base, owner: c.owner, name: c.name, value: c.value, removed: false, version: version + 1 } }];
}

// ---- who reads what ----

const isAdmin = (a: Actor) => a.role === 'admin' || a.kind === 'system';

/** Viewers read the shared state only; agents and admins every scope (private: see ownerFor). */
export function readableScopes(actor: Actor): StateScope[] {
  return actor.role === 'viewer' ? ['shared'] : ['shared', 'private', 'temporary'];
}

export function assertMayRead(actor: Actor, scope: StateScope): void {
  if (!readableScopes(actor).includes(scope)) throw new ForbiddenError('SESSION.STATE_SCOPE_FORBIDDEN', `A ${actor.role ?? actor.kind} key reads the shared state only, not ${scope} entries`);
}

/** Whose private entries a read is about: the caller's own, or (an admin only) the named owner's. */
export function ownerFor(actor: Actor, named: string | undefined): string {
  if (named === undefined || named === actor.id) return actor.id;
  if (!isAdmin(actor)) throw new ForbiddenError('SESSION.STATE_PRIVATE', "Private entries are readable only by their owner (and an admin): leave out `agent` to read your own");
  return named;
}

/** The entries of `scopes` that `actor` may see, from the aggregate (temporary ones come from Redis). */
export function loggedEntries(s: Session, actor: Actor, scopes: StateScope[]): StateEntry[] {
  const out: StateEntry[] = [];
  if (scopes.includes('shared')) {
    for (const name of Object.keys(s.state).sort()) out.push(entryView(s, 'shared', actor.id, name)!);
  }
  if (scopes.includes('private')) {
    const owners = isAdmin(actor) ? Object.keys(s.privateState).sort() : Object.hasOwn(s.privateState, actor.id) ? [actor.id] : [];
    for (const owner of owners) for (const name of Object.keys(s.privateState[owner]!).sort()) {
      const e = entryView(s, 'private', owner, name);
      if (e) out.push(e);
    }
  }
  return out;
}

/** The entry's version (a removed one keeps counting; 0 when never written). */
export const entryVersion = (s: Session, scope: LoggedScope, owner: string, name: string): number => current(s, scope, owner, name)?.version ?? 0;

/** One live entry as the API shows it, or null when there is none (never written, or removed). */
export function entryView(s: Session, scope: LoggedScope, owner: string, name: string): StateEntry | null {
  const e = current(s, scope, owner, name);
  if (!e || e.removed) return null;
  return { name, scope, value: e.value, version: e.version, owner: scope === 'private' ? owner : null, updatedAt: e.at, updatedBy: e.by, expiresAt: null };
}
