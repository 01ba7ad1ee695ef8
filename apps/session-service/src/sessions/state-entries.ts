import { Injectable } from '@nestjs/common';
import { PrivateStateUpdated, StateUpdated, type PutStateBody, type StateEntry, type StateEntryReply, type StateHistory, type StateList, type StateScope } from '@orch/contracts';
import { NotFoundError } from '@orch/errors';
import type { CommandMeta } from '@orch/event-store';
import type { HandlerResult } from '@orch/messaging';
import { decide } from './session.decide';
import { assertMayChange, SessionKit, withoutExpectation } from './session-kit';
import { SessionLog } from './session-log';
import type { Session } from './session';
import { assertMayRead, entryVersion, entryView, loggedEntries, ownerFor, readableScopes, type LoggedScope } from './scoped-state';
import { TemporaryState } from './temporary-state';

/** Puts without If-Match do not depend on what the caller saw: lost races are decided again. */
const RETRIES = 20;
const SHARED = 'orchestration.session.state_updated';
const PRIVATE = 'orchestration.session.private_state_updated';

const notFound = (key: string, scope: StateScope, name: string) => new NotFoundError('SESSION.STATE_NOT_FOUND', `Session ${key} has no ${scope} entry ${name}`);

/**
 * `/sessions/:key/state…`: scoped entries. Shared and private ones are events of the session
 * (If-Match = the entry's version); temporary ones live in Redis. Every read goes through the
 * scope rules of scoped-state (viewers: shared only; private: the owner, or an admin).
 */
@Injectable()
export class StateEntries {
  constructor(
    private readonly kit: SessionKit,
    private readonly temporary: TemporaryState,
    private readonly log: SessionLog,
  ) {}

  put(sessionKey: string | undefined, name: string, body: PutStateBody, rawMeta: CommandMeta): Promise<HandlerResult<StateEntryReply>> {
    if (body.scope === 'temporary') return this.putTemporary(sessionKey, name, body, rawMeta);
    return this.write(sessionKey, name, body.scope, rawMeta, body.value);
  }

  async remove(sessionKey: string | undefined, name: string, scope: StateScope, rawMeta: CommandMeta): Promise<HandlerResult<StateEntryReply>> {
    if (scope !== 'temporary') return this.write(sessionKey, name, scope, rawMeta);
    const meta = withoutExpectation(rawMeta);
    const s = await this.writable(sessionKey, meta);
    const version = await this.temporary.remove(s.key, name, rawMeta.expectedVersion);
    return { value: await this.reply(s, { name, scope, value: null, version, owner: null, updatedAt: meta.issuedAt, updatedBy: meta.actor.id, expiresAt: null }, true, meta) };
  }

  async get(sessionKey: string | undefined, name: string, scope: StateScope, agent: string | undefined, meta: CommandMeta): Promise<StateEntry> {
    assertMayRead(meta.actor, scope);
    const s = await this.kit.load(await this.kit.resolve(sessionKey, meta));
    const entry = scope === 'temporary' ? await this.temporary.get(s.key, name) : entryView(s, scope, scope === 'private' ? ownerFor(meta.actor, agent) : meta.actor.id, name);
    if (!entry) throw notFound(s.key, scope, name);
    return entry;
  }

  async list(sessionKey: string | undefined, scope: StateScope | undefined, meta: CommandMeta): Promise<StateList> {
    if (scope) assertMayRead(meta.actor, scope);
    const scopes = scope ? [scope] : readableScopes(meta.actor);
    const s = await this.kit.load(await this.kit.resolve(sessionKey, meta));
    const items = loggedEntries(s, meta.actor, scopes);
    if (scopes.includes('temporary')) items.push(...(await this.temporary.list(s.key)));
    return { sessionKey: s.key, items, sharedVersion: s.stateVersion };
  }

  /** Every version of one entry, newest first, from the log. */
  async history(sessionKey: string | undefined, name: string, scope: LoggedScope, agent: string | undefined, limit: number, meta: CommandMeta): Promise<StateHistory> {
    assertMayRead(meta.actor, scope);
    const owner = scope === 'private' ? ownerFor(meta.actor, agent) : null;
    const key = (await this.kit.load(await this.kit.resolve(sessionKey, meta))).key;
    const changes: StateHistory['items'] = [];
    for (const { seq, envelope: e } of await this.log.events(key, [scope === 'shared' ? SHARED : PRIVATE])) {
      const by = { at: e.occurredAt, by: e.actor.id, seq };
      if (scope === 'shared') {
        const d = StateUpdated.parse(e).data;
        if (Object.hasOwn(d.set, name)) changes.push({ version: changes.length + 1, value: d.set[name], removed: false, ...by });
        else if (d.removed.includes(name)) changes.push({ version: changes.length + 1, value: null, removed: true, ...by });
      } else {
        const d = PrivateStateUpdated.parse(e).data;
        if (d.owner === owner && d.name === name) changes.push({ version: d.version, value: d.removed ? null : d.value, removed: d.removed, ...by });
      }
    }
    if (changes.length === 0) throw notFound(key, scope, name);
    return { sessionKey: key, name, scope, owner, items: changes.reverse().slice(0, limit) };
  }

  /** A shared or private put (`value` given) or removal, as one event with the entry's If-Match. */
  private async write(sessionKey: string | undefined, name: string, scope: LoggedScope, rawMeta: CommandMeta, value?: unknown): Promise<HandlerResult<StateEntryReply>> {
    const expectedVersion = rawMeta.expectedVersion;
    const meta = withoutExpectation(rawMeta);
    const key = await this.kit.resolve(sessionKey, meta);
    const owner = meta.actor.id;
    const remove = value === undefined;
    const result = await this.kit.sessions.execute(
      key,
      meta,
      (s) => {
        assertMayChange(s, meta.actor);
        return decide({ type: 'PutStateEntry', scope, name, value, remove, owner, expectedVersion }, s);
      },
      { maxAttempts: expectedVersion === undefined ? RETRIES : 5 },
    );
    const s = result.state!;
    const entry = entryView(s, scope, owner, name) ?? { name, scope, value: null, version: entryVersion(s, scope, owner, name), owner: scope === 'private' ? owner : null, updatedAt: meta.issuedAt, updatedBy: owner, expiresAt: null };
    return { value: await this.reply(s, entry, remove, meta), seq: result.seq };
  }

  private async putTemporary(sessionKey: string | undefined, name: string, body: PutStateBody, rawMeta: CommandMeta): Promise<HandlerResult<StateEntryReply>> {
    const meta = withoutExpectation(rawMeta);
    const s = await this.writable(sessionKey, meta);
    const entry = await this.temporary.put(s.key, name, body.value, body.ttlSeconds!, rawMeta.expectedVersion, meta.actor.id, meta.issuedAt);
    return { value: await this.reply(s, entry, false, meta) };
  }

  /** The session, if the caller may write to it (it exists, is open, and is the caller's): as a logged write would check. */
  private async writable(sessionKey: string | undefined, meta: CommandMeta): Promise<Session> {
    const s = await this.kit.load(await this.kit.resolve(sessionKey, meta));
    assertMayChange(s, meta.actor);
    decide({ type: 'CheckWritable' }, s);
    return s;
  }

  private async reply(s: Session, entry: StateEntry, removed: boolean, meta: CommandMeta): Promise<StateEntryReply> {
    return { ...entry, sessionKey: s.key, removed, instructions: (await this.kit.reply(s, meta)).instructions };
  }
}
