import { MAX_STATE_ENTRIES, MAX_STATE_VALUE_BYTES, PutStateBody, StateEntryQuery, StateHistoryQuery, type Actor, type SessionEvent } from '@orch/contracts';
import { ConflictError, ForbiddenError, NotFoundError, PreconditionFailedError, RuleViolation } from '@orch/errors';
import { deciderSpec } from '@orch/testing';
import { assertMayRead, entryView, loggedEntries, ownerFor, readableScopes, type PutStateEntry } from './scoped-state';
import { decide } from './session.decide';
import { evolve, initialState, summarise, type Session, type SessionState } from './session';

const spec = deciderSpec({ initialState, evolve, decide });
const KEY = 'sess_TSK-1_20260101_000000';
const base = { sessionKey: KEY, taskCode: 'TSK-1', sprintCode: 'SPR-1' };
const started: SessionEvent[] = [
  { type: 'orchestration.session.start', data: { ...base, template: 'default', phases: ['INTAKE', 'CLOSE'], agentId: 'agent-1', taskTitle: 'Do it', estimateMinutes: null } },
  { type: 'orchestration.phase.intake.start', data: { ...base, phase: 'INTAKE', from: null } },
];
const ended: SessionEvent = { type: 'orchestration.session.end', data: { ...base, status: 'FAILED', phase: 'INTAKE', forced: true, reason: null, activeMs: 1, phaseDurations: {} } };
const shared = (set: Record<string, unknown>, removed: string[], stateVersion: number): SessionEvent => ({ type: 'orchestration.session.state_updated', data: { ...base, set, removed, stateVersion } });
const priv = (owner: string, name: string, value: unknown, version: number, removed = false): SessionEvent => ({ type: 'orchestration.session.private_state_updated', data: { ...base, owner, name, value, removed, version } });
const put = (over: Partial<PutStateEntry> = {}): PutStateEntry => ({ type: 'PutStateEntry', scope: 'shared', name: 'branch', value: 'feat/x', remove: false, owner: 'agent-1', ...over });
const fold = (events: SessionEvent[]): Session =>
  events.reduce<SessionState>((s, e, i) => evolve(s, e, { occurredAt: `2026-01-01T00:00:0${i}.000Z`, version: i + 1, actor: { kind: 'agent', id: 'agent-1' } }), initialState())!;

const agent = (id: string): Actor => ({ kind: 'agent', id, role: 'agent' });
const ADMIN: Actor = { kind: 'human', id: 'ops', role: 'admin' };
const VIEWER: Actor = { kind: 'human', id: 'watcher', role: 'viewer' };

describe('scoped state', () => {
  describe('when the session does not exist or has ended', () => {
    it('refuses a put on no session', () => {
      spec.given([]).when(put()).thenThrows(NotFoundError, 'SESSION.NOT_FOUND');
    });
    it('refuses a put on an ended session', () => {
      spec.given([...started, ended]).when(put()).thenThrows(ConflictError, 'SESSION.ENDED');
    });
    it('refuses a temporary write on an ended session too (the check writes nothing)', () => {
      spec.given([...started, ended]).when({ type: 'CheckWritable' }).thenThrows(ConflictError, 'SESSION.ENDED');
      spec.given(started).when({ type: 'CheckWritable' }).then([]);
    });
  });

  describe('a shared entry', () => {
    it('is set as a state_updated event that moves the shared version', () => {
      spec.given([...started, shared({ other: 1 }, [], 1)]).when(put()).then([shared({ branch: 'feat/x' }, [], 2)]);
    });
    it('is set only if it does not exist yet with If-Match "0"', () => {
      spec.given(started).when(put({ expectedVersion: 0 })).then([shared({ branch: 'feat/x' }, [], 1)]);
      spec.given([...started, shared({ branch: 'a' }, [], 1)]).when(put({ expectedVersion: 0 })).thenThrows(PreconditionFailedError, 'SESSION.STATE_VERSION_MISMATCH');
    });
    it('takes If-Match as its own version, not the version of the shared state as a whole', () => {
      const history = [...started, shared({ branch: 'a' }, [], 1), shared({ other: 1 }, [], 2), shared({ other: 2 }, [], 3)];
      spec.given(history).when(put({ expectedVersion: 1 })).then([shared({ branch: 'feat/x' }, [], 4)]);
      const error = spec.given(history).when(put({ expectedVersion: 3 })).thenThrows(PreconditionFailedError, 'SESSION.STATE_VERSION_MISMATCH');
      expect(error.message).toContain('is at version 1, not 3');
    });
    it('writes nothing when the value is the same (a retried PUT)', () => {
      spec.given([...started, shared({ branch: 'feat/x' }, [], 1)]).when(put()).then([]);
    });
    it('counts versions across PATCH and PUT, removals included', () => {
      const s = fold([...started, shared({ branch: 'a', x: 1 }, [], 1), shared({ branch: 'b' }, [], 2), shared({}, ['branch'], 3), shared({ branch: 'c' }, [], 4)]);
      expect(entryView(s, 'shared', 'agent-1', 'branch')).toMatchObject({ value: 'c', version: 4, owner: null, updatedBy: 'agent-1' });
      expect(entryView(s, 'shared', 'agent-1', 'x')).toMatchObject({ value: 1, version: 1 });
    });
    it('is removed, and a missing one cannot be', () => {
      spec.given([...started, shared({ branch: 'a' }, [], 1)]).when(put({ remove: true, value: undefined })).then([shared({}, ['branch'], 2)]);
      spec.given(started).when(put({ remove: true, value: undefined })).thenThrows(NotFoundError, 'SESSION.STATE_NOT_FOUND');
    });
    it('never reads Object.prototype for a key such as constructor or toString', () => {
      const s = fold(started);
      expect(entryView(s, 'shared', 'agent-1', 'constructor')).toBeNull();
      expect(entryView(s, 'private', 'agent-1', 'toString')).toBeNull();
      spec.given(started).when(put({ name: 'constructor', value: 1, expectedVersion: 0 })).then([shared({ constructor: 1 }, [], 1)]);
    });
    it(`takes at most ${MAX_STATE_ENTRIES} entries`, () => {
      const full = Object.fromEntries(Array.from({ length: MAX_STATE_ENTRIES }, (_, i) => [`k${i}`, i]));
      spec.given([...started, shared(full, [], 1)]).when(put()).thenThrows(RuleViolation, 'SESSION.STATE_FULL');
      spec.given([...started, shared(full, [], 1)]).when(put({ name: 'k1', value: 'changed' })).then([shared({ k1: 'changed' }, [], 2)]);
    });
  });

  describe('a private entry', () => {
    it('is its own event, under its owner, with its version', () => {
      spec.given(started).when(put({ scope: 'private', name: 'scratch', value: { n: 1 } })).then([priv('agent-1', 'scratch', { n: 1 }, 1)]);
      spec.given([...started, priv('agent-1', 'scratch', 1, 1)]).when(put({ scope: 'private', name: 'scratch', value: 2 })).then([priv('agent-1', 'scratch', 2, 2)]);
    });
    it('of one owner is not the entry of another (versions are per owner)', () => {
      spec.given([...started, priv('agent-1', 'scratch', 1, 1)]).when(put({ scope: 'private', name: 'scratch', value: 5, owner: 'agent-2', expectedVersion: 0 })).then([priv('agent-2', 'scratch', 5, 1)]);
    });
    it('412s a stale If-Match', () => {
      spec.given([...started, priv('agent-1', 'scratch', 1, 1), priv('agent-1', 'scratch', 2, 2)]).when(put({ scope: 'private', name: 'scratch', value: 3, expectedVersion: 1 })).thenThrows(PreconditionFailedError, 'SESSION.STATE_VERSION_MISMATCH');
    });
    it('is removed as a tombstone that keeps counting versions', () => {
      spec.given([...started, priv('agent-1', 'scratch', 1, 1)]).when(put({ scope: 'private', name: 'scratch', remove: true, value: undefined })).then([priv('agent-1', 'scratch', null, 2, true)]);
      const s = fold([...started, priv('agent-1', 'scratch', 1, 1), priv('agent-1', 'scratch', null, 2, true)]);
      expect(entryView(s, 'private', 'agent-1', 'scratch')).toBeNull();
      spec.given([...started, priv('agent-1', 'scratch', 1, 1), priv('agent-1', 'scratch', null, 2, true)]).when(put({ scope: 'private', name: 'scratch', value: 9, expectedVersion: 2 })).then([priv('agent-1', 'scratch', 9, 3)]);
    });
    it('never shows in the session view, and its summary names neither the entry nor the value', () => {
      const event = priv('agent-1', 'api-token', 'hunter2', 1);
      const s = fold([...started, event]);
      expect(s.state).toEqual({});
      expect(summarise(event)).toBe('updated private state of agent-1');
    });
  });

  describe('who reads what', () => {
    const s = fold([...started, shared({ branch: 'main' }, [], 1), priv('agent-1', 'mine', 1, 1), priv('agent-2', 'theirs', 2, 1)]);
    it('a viewer reads the shared scope only', () => {
      expect(readableScopes(VIEWER)).toEqual(['shared']);
      expect(() => assertMayRead(VIEWER, 'private')).toThrow(ForbiddenError);
      expect(() => assertMayRead(VIEWER, 'temporary')).toThrow(ForbiddenError);
      expect(loggedEntries(s, VIEWER, readableScopes(VIEWER)).map((e) => e.name)).toEqual(['branch']);
    });
    it('an agent sees its own private entries, never another agent’s', () => {
      expect(loggedEntries(s, agent('agent-2'), ['shared', 'private']).map((e) => [e.scope, e.name, e.owner])).toEqual([
        ['shared', 'branch', null],
        ['private', 'theirs', 'agent-2'],
      ]);
      expect(loggedEntries(s, agent('agent-3'), ['private'])).toEqual([]);
      expect(() => ownerFor(agent('agent-2'), 'agent-1')).toThrow(ForbiddenError);
      expect(ownerFor(agent('agent-2'), undefined)).toBe('agent-2');
    });
    it('an admin reads every private entry, and names whose', () => {
      expect(loggedEntries(s, ADMIN, ['private']).map((e) => [e.name, e.owner])).toEqual([
        ['mine', 'agent-1'],
        ['theirs', 'agent-2'],
      ]);
      expect(ownerFor(ADMIN, 'agent-1')).toBe('agent-1');
    });
  });
});

describe('the body of a state put', () => {
  it('defaults to the shared scope, and takes any JSON value, null too', () => {
    expect(PutStateBody.parse({ value: null })).toEqual({ value: null, scope: 'shared' });
    expect(PutStateBody.parse({ value: { a: [1] }, scope: 'temporary', ttlSeconds: 5 })).toEqual({ value: { a: [1] }, scope: 'temporary', ttlSeconds: 5 });
  });
  it.each([
    ['no value', {}, 'value'],
    ['an unknown scope', { value: 1, scope: 'global' }, 'scope'],
    ['temporary without a TTL', { value: 1, scope: 'temporary' }, 'ttlSeconds'],
    ['a TTL on a shared entry', { value: 1, ttlSeconds: 5 }, 'ttlSeconds'],
    ['a TTL of zero', { value: 1, scope: 'temporary', ttlSeconds: 0 }, 'ttlSeconds'],
    ['a TTL as a string', { value: 1, scope: 'temporary', ttlSeconds: '5' }, 'ttlSeconds'],
    ['a value over 32 KB', { value: 'x'.repeat(MAX_STATE_VALUE_BYTES) }, 'value'],
    ['an unknown field', { value: 1, owner: 'someone-else' }, ''],
  ])('refuses %s, naming the field', (_what, body, path) => {
    const parsed = PutStateBody.safeParse(body);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => i.path.join('.'))).toContain(path);
  });
  it('takes `agent` only with scope private, and keeps temporary entries out of history', () => {
    expect(StateEntryQuery.safeParse({ agent: 'agent-1' }).error!.issues[0]!.path).toEqual(['agent']);
    expect(StateEntryQuery.safeParse({ scope: 'private', agent: 'agent-1' }).success).toBe(true);
    expect(StateHistoryQuery.safeParse({ scope: 'temporary' }).error!.issues[0]!.message).toContain('temporary entries keep no history');
  });
});
