import { SystemUnderTest } from '@orch/testing';

/**
 * Conversation history through the real system (gateway, planner, session service as processes):
 * turns appended and redacted, tokens summed in the session view, pages of turns, the last turns
 * in the briefing a fresh agent gets when it takes the session over, and bad input refused with
 * nothing written.
 */
const json = (res: Response): Promise<any> => res.json();
const ADMIN = 'admin-key-turns-0001';
const AGENT_1 = 'agent-key-turns-0001';
const AGENT_2 = 'agent-key-turns-0002';
const VIEWER = 'viewer-key-turns-001';

describe('conversation turns, end to end', () => {
  let system: SystemUnderTest;
  const lastSeq = () => system.lastSeq();
  const post = (path: string, body: unknown, key = AGENT_1, headers: Record<string, string> = {}) => system.fetch(`/api/v1${path}`, { method: 'POST', json: body, key, headers });
  const get = (path: string, key = AGENT_1, headers: Record<string, string> = {}) => system.fetch(`/api/v1${path}`, { key, headers });
  const start = async (code: string, key = AGENT_1) => {
    expect((await post('/tasks', { code, title: `Work on ${code}`, description: 'Talk it through', estimateMinutes: 30 }, ADMIN)).status).toBe(201);
    const res = await post('/sessions', { taskCode: code }, key);
    expect(res.status).toBe(201);
    return (await json(res)).session.sessionKey as string;
  };
  /** The data of the newest event on the session's subject, straight from the stream. */
  const lastEventOf = async (key: string) => {
    const msg = await (await system.jsm()).streams.getMessage(system.iso.env.NATS_STREAM!, { last_by_subj: `${system.iso.env.NATS_SUBJECT_PREFIX}.evt.session.${key}` });
    return (msg!.json() as { events: Array<{ type: string; data: any }> }).events.at(-1)!;
  };

  beforeAll(async () => {
    system = await SystemUnderTest.start({ services: ['planner', 'session-service'], env: { ORCH_API_KEYS: `${ADMIN}:admin,${AGENT_1}:agent,${AGENT_2}:agent,${VIEWER}:viewer` } });
  }, 60_000);

  afterAll(async () => {
    await system?.stop();
  });

  it('appends turns, redacting secrets before they are recorded, and sums their tokens in the session view', async () => {
    const key = await start('TSK-TALK');
    const first = await post(`/sessions/${key}/conversation`, { role: 'user', content: 'Add a dark theme switch', tokens: { input: 12 } });
    expect(first.status).toBe(201);
    expect(first.headers.get('x-orch-seq')).toMatch(/^\d+$/);
    expect(await json(first)).toMatchObject({ sessionKey: key, turn: { turn: 1, role: 'user', content: 'Add a dark theme switch', tokens: { input: 12, output: 0 }, redactions: 0, phase: 'INTAKE' }, conversation: { turns: 1, tokens: { input: 12, output: 0 } }, warnings: [] });

    const secret = await post(`/sessions/${key}/conversation`, { role: 'tool', content: 'env: AWS_KEY=AKIAIOSFODNN7EXAMPLE loaded', tokens: { input: 3, output: 40 } });
    expect(secret.status).toBe(201);
    const body = await json(secret);
    expect(body.turn.content).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expect(body.turn.content).toContain('[REDACTED:');
    expect(body.warnings).toEqual(['1 secret was redacted from the turn before it was recorded']);
    const event = await lastEventOf(key);
    expect(event).toMatchObject({ type: 'orchestration.session.turn_added', data: { turn: 2, role: 'tool', redactions: 1, tokens: { input: 3, output: 40 } } });
    expect(JSON.stringify(event)).not.toContain('AKIAIOSFODNN7EXAMPLE');

    await post(`/sessions/${key}/conversation`, { role: 'assistant', content: 'Done: the switch is in the header', tokens: { output: 100 } });
    const view = await json(await get(`/sessions/${key}`));
    expect(view.session.conversation).toEqual({ turns: 3, tokens: { input: 15, output: 140 } });
  });

  it('reads the turns back page by page, oldest first within a page, the old ones from the log', async () => {
    const key = await start('TSK-PAGES');
    // More turns than the session keeps at hand (50): the first pages come from the log.
    for (let i = 1; i <= 53; i++) expect((await post(`/sessions/${key}/conversation`, { role: i % 2 ? 'user' : 'assistant', content: `message ${i}` })).status).toBe(201);
    const newest = await json(await get(`/sessions/${key}/conversation?limit=3`));
    expect(newest.items.map((t: { turn: number; content: string }) => [t.turn, t.content])).toEqual([
      [51, 'message 51'],
      [52, 'message 52'],
      [53, 'message 53'],
    ]);
    expect(newest.nextBefore).toBe(51);
    const older = await json(await get(`/sessions/${key}/conversation?limit=3&before=5`, VIEWER));
    expect(older.items.map((t: { turn: number; content: string; by: string }) => [t.turn, t.content])).toEqual([
      [2, 'message 2'],
      [3, 'message 3'],
      [4, 'message 4'],
    ]);
    expect(older.nextBefore).toBe(2);
    const first = await json(await get(`/sessions/${key}/conversation?limit=3&before=2`));
    expect(first).toMatchObject({ items: [{ turn: 1, content: 'message 1', role: 'user' }], nextBefore: null, conversation: { turns: 53 } });
    const across = await json(await get(`/sessions/${key}/conversation?limit=500`));
    expect(across.items.map((t: { turn: number }) => t.turn)).toEqual(Array.from({ length: 53 }, (_, i) => i + 1));
  });

  it('puts the last turns in the briefing, so an agent that takes the session over carries the conversation on', async () => {
    const key = await start('TSK-HANDOVER');
    for (let i = 1; i <= 12; i++) await post(`/sessions/${key}/conversation`, { role: i % 2 ? 'user' : 'assistant', content: `step ${i}` });
    const briefing = await json(await get(`/sessions/${key}/briefing`, VIEWER));
    expect(briefing.recentTurns.map((t: { turn: number }) => t.turn)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]); // SESSION_BRIEFING_TURNS = 10
    expect(briefing.conversation.turns).toBe(12);
    expect((await json(await get(`/sessions/${key}/briefing?turns=2`))).recentTurns.map((t: { content: string }) => t.content)).toEqual(['step 11', 'step 12']);

    expect((await post(`/sessions/${key}/suspend`, { reason: 'agent crashed' })).status).toBe(200);
    const resumed = await post(`/sessions/${key}/resume`, { reason: 'taking over' }, AGENT_2);
    expect(resumed.status).toBe(200);
    const taken = await json(resumed);
    expect(taken.outcome).toBe('resumed');
    expect(taken.briefing.recentTurns.at(-1)).toMatchObject({ turn: 12, role: 'assistant', content: 'step 12' });
    // The new holder continues the numbering; the old one may no longer write.
    expect(await json(await post(`/sessions/${key}/conversation`, { role: 'user', content: 'step 13' }, AGENT_2))).toMatchObject({ turn: { turn: 13 } });
    expect((await post(`/sessions/${key}/conversation`, { role: 'user', content: 'still here?' }, AGENT_1)).status).toBe(403);
  });

  it('works on the current session under /me, or on the one named by X-Orch-Session', async () => {
    const one = await start('TSK-ME-T1', AGENT_2);
    const two = await start('TSK-ME-T2', AGENT_2);
    expect((await json(await post('/me/conversation', { role: 'user', content: 'on the current one' }, AGENT_2))).sessionKey).toBe(two);
    expect((await json(await post('/me/conversation', { role: 'user', content: 'on the named one' }, AGENT_2, { 'x-orch-session': one }))).sessionKey).toBe(one);
    const page = await json(await get('/me/conversation?limit=5', AGENT_2, { 'x-orch-session': one }));
    expect(page.items.map((t: { content: string }) => t.content)).toEqual(['on the named one']);
  });

  describe('refuses bad input with a problem naming it, and writes nothing', () => {
    let key: string;
    beforeAll(async () => {
      key = await start('TSK-BAD-T');
    });
    const turns = (body: unknown, k = AGENT_1) => post(`/sessions/${key}/conversation`, body, k);
    it.each([
      ['malformed JSON', () => system.fetch(`/api/v1/sessions/${key}/conversation`, { method: 'POST', body: '{"role": "user", "content": ', headers: { 'content-type': 'application/json' }, key: AGENT_1 }), 400, undefined, undefined],
      ['an unknown role', () => turns({ role: 'robot', content: 'x' }), 400, 'body.role', undefined],
      ['a content of the wrong type', () => turns({ role: 'user', content: 42 }), 400, 'body.content', undefined],
      ['an empty content', () => turns({ role: 'user', content: '   ' }), 400, 'body.content', undefined],
      ['a content over 32 KB', () => turns({ role: 'user', content: 'é'.repeat(20_000) }), 400, 'body.content', '32768 bytes (32 KB)'],
      ['a body over the gateway limit', () => turns({ role: 'user', content: 'x'.repeat(3 * 1024 * 1024) }), 413, undefined, undefined],
      ['negative tokens', () => turns({ role: 'user', content: 'x', tokens: { input: -5 } }), 400, 'body.tokens.input', undefined],
      ['tokens as text', () => turns({ role: 'user', content: 'x', tokens: { output: 'many' } }), 400, 'body.tokens.output', undefined],
      ['an unknown field', () => turns({ role: 'user', content: 'x', mood: 'happy' }), 400, 'body.mood', undefined],
      ['an unknown session', () => post(`/sessions/${key.replace('BAD-T', 'GONE-T')}/conversation`, { role: 'user', content: 'x' }), 404, undefined, undefined],
      ['a hostile session key', () => post(`/sessions/${encodeURIComponent("sess_x'; DROP TABLE x;--")}/conversation`, { role: 'user', content: 'x' }), 400, 'params.key', undefined],
      ['a limit out of range', () => get(`/sessions/${key}/conversation?limit=100000`), 400, 'query.limit', undefined],
      ['a viewer writing', () => turns({ role: 'user', content: 'x' }, VIEWER), 403, undefined, undefined],
      ['an agent writing to a session it does not hold', () => turns({ role: 'user', content: 'x' }, AGENT_2), 403, undefined, undefined],
    ] as const)('%s', async (_what, send, status, path, detail) => {
      const before = await lastSeq();
      const res = await send();
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      const problem = await json(res);
      expect(problem.code).toEqual(expect.any(String));
      if (path) expect(problem.errors.map((e: { path: string }) => e.path)).toContain(path);
      if (detail) expect(JSON.stringify(problem)).toContain(detail);
      expect(await lastSeq()).toBe(before);
      expect((await json(await get(`/sessions/${key}`))).session.conversation.turns).toBe(0);
    });
  });
});
