import { SystemUnderTest, waitFor } from '@orch/testing';
import { SseReader } from '../apps/gateway/src/testing/sse-reader';

/**
 * Scoped session state through the real system (gateway, planner, session service as processes):
 * shared entries (and the old PATCH …/context beside them), private entries that only their owner
 * and an admin see, temporary entries that are gone after their TTL and never in the log, If-Match
 * per entry, the history of a value, and bad input refused with nothing written.
 */
const json = (res: Response): Promise<any> => res.json();
const ADMIN = 'admin-key-state-0001';
const AGENT_1 = 'agent-key-state-0001';
const AGENT_2 = 'agent-key-state-0002';
const VIEWER = 'viewer-key-state-001';

describe('scoped session state, end to end', () => {
  let system: SystemUnderTest;
  const lastSeq = () => system.lastSeq();
  const call = (method: string, path: string, key: string, json?: unknown, headers: Record<string, string> = {}) => system.fetch(`/api/v1${path}`, { method, key, json, headers });
  const put = (key: string, name: string, body: unknown, who = AGENT_1, headers: Record<string, string> = {}) => call('PUT', `/sessions/${key}/state/${name}`, who, body, headers);
  const get = (path: string, who = AGENT_1, headers: Record<string, string> = {}) => call('GET', path, who, undefined, headers);
  const start = async (code: string, who = AGENT_1) => {
    expect((await call('POST', '/tasks', ADMIN, { code, title: `Work on ${code}`, description: 'Keep some state', estimateMinutes: 30 })).status).toBe(201);
    const res = await call('POST', '/sessions', who, { taskCode: code });
    expect(res.status).toBe(201);
    return (await json(res)).session as { sessionKey: string; agentId: string };
  };

  beforeAll(async () => {
    system = await SystemUnderTest.start({ services: ['planner', 'session-service', 'search-service'], env: { ORCH_API_KEYS: `${ADMIN}:admin,${AGENT_1}:agent,${AGENT_2}:agent,${VIEWER}:viewer` } });
  }, 60_000);

  afterAll(async () => {
    await system?.stop();
  });

  it('sets shared entries with If-Match per entry, beside the old PATCH …/context (no scope = shared)', async () => {
    const key = (await start('TSK-SHARED')).sessionKey;
    const patched = await call('PATCH', `/sessions/${key}/context`, AGENT_1, { set: { branch: 'feat/x' } }, { 'if-match': '"0"' });
    expect(patched.status).toBe(200);
    expect(await json(await get(`/sessions/${key}/state/branch`, VIEWER))).toMatchObject({ name: 'branch', scope: 'shared', value: 'feat/x', version: 1, owner: null });

    const created = await put(key, 'plan', { value: { steps: ['a', 'b'] } }, AGENT_1, { 'if-match': '"0"' });
    expect(created.status).toBe(200);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.headers.get('x-orch-seq')).toMatch(/^\d+$/);
    expect(await json(created)).toMatchObject({ sessionKey: key, name: 'plan', scope: 'shared', value: { steps: ['a', 'b'] }, version: 1, removed: false, instructions: { contextReminder: { sessionKey: key } } });
    // Another key moved the shared state as a whole; this entry is still at version 1.
    expect((await put(key, 'branch', { value: 'feat/y' })).status).toBe(200);
    const updated = await put(key, 'plan', { value: { steps: ['a', 'b', 'c'] } }, AGENT_1, { 'if-match': '"1"' });
    expect(updated.headers.get('etag')).toBe('"2"');

    const listed = await json(await get(`/sessions/${key}/state`, VIEWER));
    expect(listed).toMatchObject({ sessionKey: key, sharedVersion: 4 });
    expect(listed.items.map((e: { name: string; value: unknown }) => [e.name, e.value])).toEqual([
      ['branch', 'feat/y'],
      ['plan', { steps: ['a', 'b', 'c'] }],
    ]);
    const view = await json(await get(`/sessions/${key}`));
    expect(view.session).toMatchObject({ state: { branch: 'feat/y', plan: { steps: ['a', 'b', 'c'] } }, stateVersion: 4 });
    expect((await call('PATCH', `/sessions/${key}/context`, AGENT_1, { set: { branch: 'z' } }, { 'if-match': '"1"' })).status).toBe(412);
  });

  it('answers a stale If-Match with 412, and writes nothing', async () => {
    const key = (await start('TSK-412')).sessionKey;
    expect((await put(key, 'owner', { value: 'agent-1' }, AGENT_1, { 'if-match': '"0"' })).status).toBe(200);
    for (const scope of ['shared', 'private', 'temporary'] as const) {
      const body = { value: 'first', scope, ...(scope === 'temporary' ? { ttlSeconds: 600 } : {}) };
      if (scope !== 'shared') expect((await put(key, 'owner', body, AGENT_1, { 'if-match': '"0"' })).status).toBe(200);
      const before = await lastSeq();
      const stale = await put(key, 'owner', { ...body, value: 'second' }, AGENT_1, { 'if-match': '"0"' });
      expect(stale.status).toBe(412);
      expect(await json(stale)).toMatchObject({ code: 'SESSION.STATE_VERSION_MISMATCH', detail: expect.stringContaining(`${scope} entry owner of ${key} is at version 1, not 0`) });
      expect(await lastSeq()).toBe(before);
      const kept = await json(await get(`/sessions/${key}/state/owner?scope=${scope}`));
      expect(kept).toMatchObject({ value: scope === 'shared' ? 'agent-1' : 'first', version: 1 });
      const removed = await call('DELETE', `/sessions/${key}/state/owner?scope=${scope}`, AGENT_1, undefined, { 'if-match': '"7"' });
      expect(removed.status).toBe(412);
      expect(await lastSeq()).toBe(before);
    }
  });

  it('keeps the history of a value, newest first, removals included', async () => {
    const key = (await start('TSK-HISTORY')).sessionKey;
    const seqs: number[] = [];
    for (const value of [1, 2]) seqs.push(Number((await put(key, 'counter', { value })).headers.get('x-orch-seq')));
    await put(key, 'other', { value: 'noise' });
    const removed = await call('DELETE', `/sessions/${key}/state/counter`, AGENT_1);
    expect(removed.status).toBe(200);
    expect(await json(removed)).toMatchObject({ name: 'counter', removed: true, version: 3, value: null });
    expect((await get(`/sessions/${key}/state/counter`)).status).toBe(404);
    seqs.push(Number(removed.headers.get('x-orch-seq')));
    seqs.push(Number((await put(key, 'counter', { value: 3 }, AGENT_1, { 'if-match': '"3"' })).headers.get('x-orch-seq')));

    const history = await json(await get(`/sessions/${key}/state/counter/history`, VIEWER));
    expect(history).toMatchObject({ sessionKey: key, name: 'counter', scope: 'shared', owner: null });
    expect(history.items.map((c: { version: number; value: unknown; removed: boolean; seq: number }) => [c.version, c.value, c.removed, c.seq])).toEqual([
      [4, 3, false, seqs[3]],
      [3, null, true, seqs[2]],
      [2, 2, false, seqs[1]],
      [1, 1, false, seqs[0]],
    ]);
    expect((await json(await get(`/sessions/${key}/state/counter/history?limit=2`))).items.map((c: { version: number }) => c.version)).toEqual([4, 3]);

    await put(key, 'draft', { value: 'v1', scope: 'private' });
    await put(key, 'draft', { value: 'v2', scope: 'private' });
    const mine = await json(await get(`/sessions/${key}/state/draft/history?scope=private`));
    expect(mine.items.map((c: { value: string }) => c.value)).toEqual(['v2', 'v1']);
    expect((await get(`/sessions/${key}/state/never-set/history`)).status).toBe(404);
  });

  it('shows private entries to their owner and an admin only, never to another agent or a viewer', async () => {
    const { sessionKey: key, agentId: agent1 } = await start('TSK-PRIVATE');
    expect((await put(key, 'scratch', { value: { secretPlan: 'agent-1 only' }, scope: 'private' })).status).toBe(200);
    await put(key, 'branch', { value: 'main' });

    const asOther = await json(await get(`/sessions/${key}/state`, AGENT_2));
    expect(asOther.items.map((e: { scope: string; name: string }) => `${e.scope}:${e.name}`)).toEqual(['shared:branch']);
    expect((await get(`/sessions/${key}/state/scratch?scope=private`, AGENT_2)).status).toBe(404);
    expect((await get(`/sessions/${key}/state/scratch?scope=private&agent=${agent1}`, AGENT_2)).status).toBe(403);
    expect((await get(`/sessions/${key}/state/scratch/history?scope=private&agent=${agent1}`, AGENT_2)).status).toBe(403);
    expect((await get(`/sessions/${key}/state?scope=private`, VIEWER)).status).toBe(403);
    expect((await json(await get(`/sessions/${key}/state`, VIEWER))).items.map((e: { name: string }) => e.name)).toEqual(['branch']);
    expect(JSON.stringify(await json(await get(`/sessions/${key}`, VIEWER)))).not.toContain('agent-1 only');
    expect(JSON.stringify(await json(await get(`/sessions/${key}/briefing`, VIEWER)))).not.toContain('agent-1 only');
    // Another agent may not write into a session it does not hold, private scope or not.
    expect((await put(key, 'scratch', { value: 'mine now', scope: 'private' }, AGENT_2)).status).toBe(403);

    // Once it takes the session over, its private entries are its own, beside the first agent's.
    await call('POST', `/sessions/${key}/suspend`, AGENT_1, { reason: 'handing over' });
    expect((await call('POST', `/sessions/${key}/resume`, AGENT_2, {})).status).toBe(200);
    const theirs = await put(key, 'scratch', { value: 'agent-2 notes', scope: 'private' }, AGENT_2, { 'if-match': '"0"' });
    expect(theirs.status).toBe(200);
    expect((await json(await get(`/sessions/${key}/state?scope=private`, AGENT_2))).items.map((e: { value: unknown }) => e.value)).toEqual(['agent-2 notes']);
    expect((await json(await get(`/sessions/${key}/state/scratch?scope=private`, AGENT_1))).value).toEqual({ secretPlan: 'agent-1 only' });

    const all = await json(await get(`/sessions/${key}/state?scope=private`, ADMIN));
    expect(all.items).toHaveLength(2);
    expect(all.items).toEqual(expect.arrayContaining([expect.objectContaining({ owner: agent1, value: { secretPlan: 'agent-1 only' } }), expect.objectContaining({ value: 'agent-2 notes' })]));
    expect((await json(await get(`/sessions/${key}/state/scratch?scope=private&agent=${agent1}`, ADMIN))).value).toEqual({ secretPlan: 'agent-1 only' });
  });

  it('never shows a private value through the generic readers of the log: events, the live stream, search', async () => {
    const key = (await start('TSK-PRIVLEAK')).sessionKey;
    const written = await put(key, 'apikey', { value: 'zanzibarquux-private-7731', scope: 'private' });
    expect(written.status).toBe(200);
    const seq = Number(written.headers.get('x-orch-seq'));
    const type = 'orchestration.session.private_state_updated';

    const events = await json(await call('GET', `/events?type=${type}&after=${seq - 1}&limit=10`, ADMIN, undefined, { 'x-orch-min-seq': String(seq) }));
    const listed = events.items.find((e: { seq: number }) => e.seq === seq);
    expect(listed.data).toMatchObject({ name: 'apikey', value: '[private]' });

    const stream = await call('GET', `/events/stream?after=${seq - 1}&types=${type}`, ADMIN);
    const reader = new SseReader(stream);
    const live = JSON.parse((await reader.next(10_000)).data);
    await reader.cancel();
    expect(live).toMatchObject({ seq, data: { name: 'apikey', value: '[private]' } });

    const search = await json(await call('GET', `/search?q=zanzibarquux&noCache=true`, ADMIN, undefined, { 'x-orch-min-seq': String(seq) }));
    expect(search.items).toEqual([]);
    // The owner still reads it where it belongs.
    expect((await json(await get(`/sessions/${key}/state/apikey?scope=private`))).value).toBe('zanzibarquux-private-7731');
  });

  it('forgets a temporary entry after its TTL, and never puts it in the log', async () => {
    const key = (await start('TSK-TEMP')).sessionKey;
    const before = await lastSeq();
    const set = await put(key, 'lock', { value: { holder: 'agent-1' }, scope: 'temporary', ttlSeconds: 1 });
    expect(set.status).toBe(200);
    const entry = await json(set);
    expect(entry).toMatchObject({ name: 'lock', scope: 'temporary', value: { holder: 'agent-1' }, version: 1, expiresAt: expect.any(String) });
    expect(set.headers.get('x-orch-seq')).toBeNull();
    expect(await lastSeq()).toBe(before);
    await put(key, 'cache', { value: 42, scope: 'temporary', ttlSeconds: 600 });

    expect((await json(await get(`/sessions/${key}/state?scope=temporary`))).items.map((e: { name: string }) => e.name)).toEqual(expect.arrayContaining(['cache']));
    expect((await get(`/sessions/${key}/state?scope=temporary`, VIEWER)).status).toBe(403);
    await waitFor('the temporary entry to expire', async () => (await get(`/sessions/${key}/state/lock?scope=temporary`)).status === 404, { timeoutMs: 10_000, intervalMs: 100 });
    const left = await json(await get(`/sessions/${key}/state?scope=temporary`));
    expect(left.items.map((e: { name: string }) => e.name)).toEqual(['cache']);
    expect(await lastSeq()).toBe(before);
    expect((await get(`/sessions/${key}/state/lock/history?scope=temporary`)).status).toBe(400);
  });

  it('works on the current session under /me', async () => {
    const key = (await start('TSK-ME-S', AGENT_2)).sessionKey;
    expect((await call('PUT', '/me/state/mood', AGENT_2, { value: 'focused', scope: 'private' })).status).toBe(200);
    expect((await json(await get('/me/state/mood?scope=private', AGENT_2))).value).toBe('focused');
    expect((await json(await get('/me/state', AGENT_2, { 'x-orch-session': key }))).items.map((e: { name: string }) => e.name)).toEqual(['mood']);
    expect((await json(await get('/me/state/mood/history?scope=private', AGENT_2))).items).toHaveLength(1);
    expect((await call('DELETE', '/me/state/mood?scope=private', AGENT_2)).status).toBe(200);
    expect((await get('/me/state/mood?scope=private', AGENT_2)).status).toBe(404);
  });

  describe('refuses bad input with a problem naming it, and writes nothing', () => {
    let key: string;
    beforeAll(async () => {
      key = (await start('TSK-BAD-S')).sessionKey;
      await put(key, 'kept', { value: 'as it was' });
    });
    const at = (name: string) => `/api/v1/sessions/${key}/state/${name}`;
    it.each([
      ['malformed JSON', () => system.fetch(at('x'), { method: 'PUT', body: '{"value": ', headers: { 'content-type': 'application/json' }, key: AGENT_1 }), 400, undefined],
      ['no value', () => put(key, 'x', {}), 400, 'body.value'],
      ['an unknown scope', () => put(key, 'x', { value: 1, scope: 'global' }), 400, 'body.scope'],
      ['a TTL as text', () => put(key, 'x', { value: 1, scope: 'temporary', ttlSeconds: '60' }), 400, 'body.ttlSeconds'],
      ['temporary without a TTL', () => put(key, 'x', { value: 1, scope: 'temporary' }), 400, 'body.ttlSeconds'],
      ['a TTL on a shared entry', () => put(key, 'x', { value: 1, ttlSeconds: 60 }), 400, 'body.ttlSeconds'],
      ['a value over 32 KB', () => put(key, 'x', { value: 'x'.repeat(40_000) }), 400, 'body.value'],
      ['a temporary value over 32 KB', () => put(key, 'x', { value: { blob: 'x'.repeat(40_000) }, scope: 'temporary', ttlSeconds: 60 }), 400, 'body.value'],
      ['an unknown field', () => put(key, 'x', { value: 1, owner: 'agent-2' }), 400, 'body.owner'],
      ['a path as a key', () => system.fetch(`/api/v1/sessions/${key}/state/${encodeURIComponent('../../etc/passwd')}`, { method: 'PUT', json: { value: 1 }, key: AGENT_1 }), 400, 'params.name'],
      ['__proto__ as a key', () => put(key, '__proto__', { value: { polluted: true } }), 400, 'params.name'],
      ['a key with spaces and quotes', () => put(key, encodeURIComponent("a' OR '1'='1"), { value: 1 }), 400, 'params.name'],
      ['a key of 200 characters', () => put(key, 'k'.repeat(200), { value: 1 }), 400, 'params.name'],
      ['a malformed If-Match', () => put(key, 'kept', { value: 2 }, AGENT_1, { 'if-match': 'W/"1"' }), 400, 'headers.If-Match'],
      ['agent with a shared read', () => get(`/sessions/${key}/state/kept?agent=someone`), 400, 'query.agent'],
      ['history of a temporary entry', () => get(`/sessions/${key}/state/kept/history?scope=temporary`), 400, 'query.scope'],
      ['an unknown session', () => put(key.replace('BAD-S', 'GONE-S'), 'x', { value: 1 }), 404, undefined],
      ['removing an entry that is not there', () => call('DELETE', `/sessions/${key}/state/absent`, AGENT_1), 404, undefined],
      ['a viewer writing', () => put(key, 'x', { value: 1 }, VIEWER), 403, undefined],
      ['another agent writing', () => put(key, 'x', { value: 1, scope: 'temporary', ttlSeconds: 60 }, AGENT_2), 403, undefined],
    ] as const)('%s', async (_what, send, status, path) => {
      const before = await lastSeq();
      const res = await send();
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      const problem = await json(res);
      expect(problem.code).toEqual(expect.any(String));
      if (path) expect(problem.errors.map((e: { path: string }) => e.path)).toContain(path);
      expect(await lastSeq()).toBe(before);
      const entries = await json(await get(`/sessions/${key}/state`, ADMIN));
      expect(entries.items.map((e: { name: string; value: unknown }) => [e.name, e.value])).toEqual([['kept', 'as it was']]);
    });
  });
});
