import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { sessionKeyOf, SessionRoutes, type Actor, type Briefing, type RpcMeta, type RpcRoute, type SessionReply } from '@orch/contracts';
import { RpcClient } from '@orch/messaging';
import { PgApplier, type BatchItem } from '@orch/projections';
import { startService, type RunningService } from '@orch/service-kit';
import { factsProjection } from './read-model/facts.projection';
import { sessionProjection } from './read-model/session.projection';
import { isolatedEnv, waitFor, type IsolatedEnv } from '@orch/testing';
import { sessionServiceSpec } from './app.module';
import { FakePlanner } from './testing/fake-planner';

const agent = (id: string): Actor => ({ kind: 'agent', id, role: 'agent' });
const ADMIN: Actor = { kind: 'human', id: 'ops', role: 'admin' };

describe('the session service (real NATS, Postgres, Redis)', () => {
  let iso: IsolatedEnv;
  let service: RunningService;
  let rpc: RpcClient;
  let planner: FakePlanner;
  let pg: Client;

  const call = async <T = SessionReply>(route: keyof typeof SessionRoutes, payload: object, actor: Actor = agent('agent-1'), extra: Partial<RpcMeta> = {}) =>
    (await rpc.call(SessionRoutes[route] as RpcRoute, payload, { meta: { actor, commandId: randomUUID(), issuedAt: new Date().toISOString(), ...extra }, correlationId: randomUUID() })) as { value: T; seq?: number };
  const fails = (p: Promise<unknown>) => p.then(() => expect('it').toBe('refused'), (e) => e);
  const sessionCommits = async (key: string) => service.infra.store.readSubject(service.infra.subjects.aggregate('session', key));
  const start = async (code: string, actor = agent('agent-1')) => (await call('start', { taskCode: code }, actor)).value;
  const artifact = (sessionKey: string, name: string, actor = agent('agent-1')) => call('artifact', { sessionKey, body: { name, content: `# ${name}\n` } }, actor);

  beforeAll(async () => {
    iso = isolatedEnv();
    service = await startService(sessionServiceSpec(), iso.env);
    rpc = new RpcClient(service.infra.nc, service.infra.subjects);
    planner = new FakePlanner(service.infra.nc, service.infra.subjects);
    pg = new Client({ connectionString: iso.env.DATABASE_URL });
    await pg.connect();
    await pg.query(`SET search_path TO "${iso.env.DB_SCHEMA}"`);
  });

  afterAll(async () => {
    planner?.close();
    await pg?.end();
    await service?.close();
    await iso?.cleanup();
  });

  it('starts a session in INTAKE with instructions, moves the task to IN_PROGRESS, and returns the same session to a second start', async () => {
    planner.add('TSK-A', { status: 'BACKLOG' });
    const first = await start('TSK-A');
    expect(first).toMatchObject({ outcome: 'started', session: { taskCode: 'TSK-A', status: 'ACTIVE', currentPhase: 'INTAKE', template: 'default', agentId: 'agent-1' } });
    expect(first.session.sessionKey).toMatch(/^sess_TSK-A_\d{8}_\d{6}$/);
    expect(first.instructions.missing).toEqual([expect.objectContaining({ kind: 'artifact', name: 'TASK.md' })]);
    expect(first.instructions.suggestedCommands).toContain('orch artifact TASK.md ./TASK.md');
    expect(first.instructions.contextReminder).toMatchObject({ activeTask: 'TSK-A', phase: 'INTAKE' });
    expect(planner.statusChanges).toEqual([{ code: 'TSK-A', status: 'READY' }, { code: 'TSK-A', status: 'IN_PROGRESS' }]);
    const again = await start('TSK-A', agent('agent-2'));
    expect(again).toMatchObject({ outcome: 'existing', session: { sessionKey: first.session.sessionKey } });
  });

  it('answers a retried start with the session its first run opened, though the retry came a second later and that session has ended', async () => {
    // The chaos suite found it: the key is made from the request's time, so a retry (same command
    // id, later time) that no longer finds the first run's session open aims at another key.
    planner.add('TSK-RETRY');
    const commandId = randomUUID();
    const t0 = Date.now();
    const first = (await call('start', { taskCode: 'TSK-RETRY' }, agent('agent-1'), { commandId, issuedAt: new Date(t0).toISOString() })).value.session;
    await call('end', { sessionKey: first.sessionKey, body: { force: true } }, agent('agent-1'));
    const retry = await call('start', { taskCode: 'TSK-RETRY' }, agent('agent-1'), { commandId, issuedAt: new Date(t0 + 2_000).toISOString() });
    expect(retry.value).toMatchObject({ outcome: 'started', session: { sessionKey: first.sessionKey } });
    expect(await sessionCommits(sessionKeyOf('TSK-RETRY', new Date(t0 + 2_000)))).toEqual([]);
  });

  it('picks the template by task type: bug_fix has no PLAN', async () => {
    planner.add('TSK-BUG', { type: 'bug_fix' });
    const s = await start('TSK-BUG');
    expect(s.session).toMatchObject({ template: 'bug_fix', phases: ['INTAKE', 'RESEARCH', 'EXECUTE', 'REVIEW', 'CLOSE'] });
  });

  it('answers a failed gate with 422 listing each missing item, and writes nothing', async () => {
    planner.add('TSK-G');
    const s = await start('TSK-G');
    const before = await sessionCommits(s.session.sessionKey);
    const error = await fails(call('phaseComplete', { sessionKey: s.session.sessionKey, body: {} }));
    expect(error).toMatchObject({ status: 422, code: 'SESSION.PHASE_REQUIREMENTS_MISSING', missing: [{ kind: 'artifact', name: 'TASK.md', hint: expect.stringContaining('orch artifact TASK.md') }] });
    expect(await sessionCommits(s.session.sessionKey)).toHaveLength(before.length);
  });

  it('advances exactly once under 20 concurrent phase-completes; the others get 409 and the log shows one phase change', async () => {
    planner.add('TSK-RACE');
    const s = await start('TSK-RACE');
    const key = s.session.sessionKey;
    await artifact(key, 'TASK.md');
    // Each names the phase it saw, as `orch phase-complete` does: a call that arrives after the advance
    // then gets 409 too, instead of trying to complete the next phase.
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => call('phaseComplete', { sessionKey: key, body: { phase: 'INTAKE' } })));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(19);
    for (const e of refused) expect(e).toMatchObject({ status: 409 });
    const types = (await sessionCommits(key)).flatMap((c) => c.events.map((e) => e.type));
    expect(types.filter((t) => t === 'orchestration.phase.intake.end')).toHaveLength(1);
    expect(types.filter((t) => t === 'orchestration.phase.research.start')).toHaveLength(1);
  });

  it('records an override with its actor and reason, and refuses one to a plain agent', async () => {
    planner.add('TSK-OVR');
    const s = await start('TSK-OVR');
    const key = s.session.sessionKey;
    // The override is offered only to whom it would work: not to a plain agent (no agent manager record), to an admin.
    expect(s.instructions.suggestedCommands).toEqual(['orch artifact TASK.md ./TASK.md', 'orch phase-complete', 'orch note "…"', 'orch update "…"']);
    expect((await call('get', { sessionKey: key }, ADMIN)).value.instructions.suggestedCommands).toContain('orch phase-complete --override --reason "…"');
    const denied = await fails(call('phaseComplete', { sessionKey: key, body: { override: true, reason: 'no need' } }));
    expect(denied).toMatchObject({ status: 403, code: 'SESSION.OVERRIDE_FORBIDDEN' });
    const done = await call('phaseComplete', { sessionKey: key, body: { override: true, reason: 'TASK.md is the issue text' } }, ADMIN);
    expect(done.value).toMatchObject({ outcome: 'overridden', session: { currentPhase: 'RESEARCH' } });
    const override = (await sessionCommits(key)).flatMap((c) => c.events).find((e) => e.type === 'orchestration.phase.override')!;
    expect(override.actor).toMatchObject({ id: 'ops', role: 'admin' });
    expect(override.data).toMatchObject({ phase: 'INTAKE', to: 'RESEARCH', reason: 'TASK.md is the issue text', actor: ADMIN, missing: [expect.objectContaining({ name: 'TASK.md' })] });
  });

  it("refuses an agent key's changes to another agent's session, and writes nothing", async () => {
    planner.add('TSK-MINE');
    const key = (await start('TSK-MINE', agent('agent-owner'))).session.sessionKey;
    const before = await sessionCommits(key);
    await expect(call('note', { sessionKey: key, body: { text: 'not mine' } }, agent('agent-other'))).rejects.toMatchObject({ status: 403, code: 'SESSION.NOT_YOURS' });
    await expect(call('phaseComplete', { sessionKey: key, body: {} }, agent('agent-other'))).rejects.toMatchObject({ status: 403, code: 'SESSION.NOT_YOURS' });
    await expect(call('end', { sessionKey: key, body: { force: true } }, agent('agent-other'))).rejects.toMatchObject({ status: 403 });
    expect(await sessionCommits(key)).toHaveLength(before.length);
    expect((await call('note', { sessionKey: key, body: { text: 'an operator may' } }, ADMIN)).value.session.notes).toHaveLength(1);
  });

  it('updates shared state with If-Match on its own version, 412 when stale', async () => {
    planner.add('TSK-ST');
    const key = (await start('TSK-ST')).session.sessionKey;
    const one = await call<any>('state', { sessionKey: key, body: { set: { branch: 'feat/x' } } }, agent('agent-1'), { expectedVersion: 0 });
    expect(one.value).toMatchObject({ state: { branch: 'feat/x' }, version: 1 });
    const stale = await fails(call('state', { sessionKey: key, body: { set: { branch: 'y' } } }, agent('agent-1'), { expectedVersion: 0 }));
    expect(stale).toMatchObject({ status: 412, code: 'SESSION.STATE_VERSION_MISMATCH' });
  });

  it('acts on the caller’s context when no key is given, and rebuilds the context from the log when Redis lost it', async () => {
    planner.add('TSK-CTX');
    const me = agent('agent-ctx');
    const s = await start('TSK-CTX', me);
    const note = await call('note', { body: { text: 'found the cause; token=supersecretvalue123' } }, me);
    expect(note.value.session.sessionKey).toBe(s.session.sessionKey);
    expect(note.value.session.notes.at(-1)!.text).toBe('found the cause; token=[REDACTED:assignment]');
    await service.infra.redis!.del('sessions:ctx:agent-ctx');
    await service.projections.get('sessions')!.catchUp(10_000);
    const ctx = await call<any>('getContext', {}, me);
    expect(ctx.value).toEqual({ sprintCode: 'SPR-1', taskCode: 'TSK-CTX', sessionKey: s.session.sessionKey });
  });

  it('rebuilds a whole context from the log after Redis lost every key: a task chosen without a session, and a session left', async () => {
    planner.add('TSK-CTX2');
    planner.add('TSK-CTX3');
    const chooser = agent('agent-chooser');
    const worker = agent('agent-worker');
    // One chose a task (task-start) and has no session; the other started one, then chose another task.
    expect((await call<any>('putContext', { taskCode: 'TSK-CTX2' }, chooser)).value).toEqual({ sprintCode: 'SPR-1', taskCode: 'TSK-CTX2', sessionKey: null });
    await start('TSK-CTX3', worker);
    expect((await call<any>('putContext', { taskCode: 'TSK-CTX2' }, worker)).value).toEqual({ sprintCode: 'SPR-1', taskCode: 'TSK-CTX2', sessionKey: null });
    const events = (await service.infra.store.readSubject(service.infra.subjects.aggregate('context', 'agent-chooser'))).flatMap((c) => c.events);
    expect(events.map((e) => [e.type, e.data])).toEqual([['orchestration.context.updated', { actorId: 'agent-chooser', sprintCode: 'SPR-1', taskCode: 'TSK-CTX2', sessionKey: null }]]);

    // Flush this test's Redis prefix (ioredis prefixes the keys of commands, not KEYS patterns).
    const prefix = iso.env.REDIS_PREFIX!;
    const ours = (await service.infra.redis!.call('KEYS', `${prefix}*`)) as string[];
    expect(ours.length).toBeGreaterThan(0);
    await Promise.all(ours.map((k) => service.infra.redis!.del(k.slice(prefix.length))));
    expect(await service.infra.redis!.get('sessions:ctx:agent-chooser')).toBeNull();

    expect((await call<any>('getContext', {}, chooser)).value).toEqual({ sprintCode: 'SPR-1', taskCode: 'TSK-CTX2', sessionKey: null });
    expect((await call<any>('getContext', {}, worker)).value).toEqual({ sprintCode: 'SPR-1', taskCode: 'TSK-CTX2', sessionKey: null });
    // A choice that changes nothing writes nothing.
    const before = await service.infra.store.lastSeq();
    await call<any>('putContext', { taskCode: 'TSK-CTX2' }, chooser);
    expect(await service.infra.store.lastSeq()).toBe(before);
  });

  it('redacts secrets in notes before they reach the log', async () => {
    planner.add('TSK-SEC');
    const key = (await start('TSK-SEC')).session.sessionKey;
    const r = await call('note', { sessionKey: key, body: { text: 'use password=hunter2hunter2 and Bearer abcdefghijklmnopqrstuvwxyz' } });
    expect(r.value.warnings).toEqual(['2 secrets were redacted before it was recorded']);
    const text = JSON.stringify((await sessionCommits(key)).flatMap((c) => c.events));
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('abcdefghijklmnop');
  });

  it('suspends the ACTIVE sessions of a lost agent; another agent resumes with a briefing of the last 3 actions and the open gate', async () => {
    planner.add('TSK-LOST');
    const lost = agent('agent-lost');
    const key = (await start('TSK-LOST', lost)).session.sessionKey;
    await artifact(key, 'TASK.md', lost);
    await call('phaseComplete', { sessionKey: key, body: {} }, lost);
    await artifact(key, 'CONTEXT.md', lost);
    await call('phaseComplete', { sessionKey: key, body: {} }, lost);
    await artifact(key, 'PLAN.md', lost);
    await call('phaseComplete', { sessionKey: key, body: {} }, lost);
    await call('note', { sessionKey: key, body: { text: 'half of the handlers written' } }, lost);
    await call('progress', { sessionKey: key, body: { text: 'EXECUTE 50%', percent: 50 } }, lost);
    const envelope = {
      id: randomUUID(), type: 'orchestration.agent.lost', aggregateType: 'agent', aggregateId: 'agent-lost', version: 1, occurredAt: new Date().toISOString(),
      actor: { kind: 'system', id: 'agent-manager' }, commandId: randomUUID(), correlationId: randomUUID(), causationId: null, schemaVersion: 1,
      data: { agentId: 'agent-lost', name: 'coder-1', type: 'coder', taskCodes: ['TSK-LOST'] },
    };
    await service.infra.store.append(service.infra.subjects.aggregate('agent', 'agent-lost'), { events: [envelope as never] }, { expectedLastSubjectSeq: 0, commandId: envelope.commandId, correlationId: envelope.correlationId });
    const suspended = await waitFor('the session to be suspended', async () => {
      const r = await call('get', { sessionKey: key }, ADMIN);
      return r.value.session.status === 'SUSPENDED' && r.value;
    });
    expect(suspended.instructions.suggestedCommands).toEqual([`orch session-resume ${key}`]);
    const resumed = await call('resume', { sessionKey: key, body: {} }, agent('agent-new'));
    expect(resumed.value).toMatchObject({ outcome: 'resumed', session: { status: 'ACTIVE', agentId: 'agent-new', currentPhase: 'EXECUTE' } });
    const b = resumed.value.briefing!;
    expect(b.lastActions.map((a) => a.summary)).toEqual(['suspended the session: agent coder-1 (agent-lost) was lost', 'progress 50%: EXECUTE 50%', 'note: half of the handlers written']);
    expect(b).toMatchObject({ currentPhase: 'EXECUTE', phaseGoal: 'Implement changes according to the plan', openGate: [], task: { code: 'TSK-LOST' } });
    expect(b.artifacts.map((a) => a.name)).toEqual(['TASK.md', 'CONTEXT.md', 'PLAN.md']);
    expect(b.notes.map((n) => n.text)).toEqual(['half of the handlers written', 'EXECUTE 50%']);
    const types = (await sessionCommits(key)).flatMap((c) => c.events.map((e) => e.type));
    expect(types.filter((t) => t === 'orchestration.session.suspended')).toHaveLength(1);
    expect(types).toContain('orchestration.session.taken_over');
  });

  it('does not suspend again when the reaction is rebuilt from the log after the agent came back', async () => {
    planner.add('TSK-BACK');
    const back = agent('agent-back');
    const key = (await start('TSK-BACK', back)).session.sessionKey;
    const lostEvent = {
      id: randomUUID(), type: 'orchestration.agent.lost', aggregateType: 'agent', aggregateId: 'agent-back', version: 1, occurredAt: new Date().toISOString(),
      actor: { kind: 'system', id: 'agent-manager' }, commandId: randomUUID(), correlationId: randomUUID(), causationId: null, schemaVersion: 1,
      data: { agentId: 'agent-back', name: 'coder-b', type: 'coder', taskCodes: ['TSK-BACK'] },
    };
    await service.infra.store.append(service.infra.subjects.aggregate('agent', 'agent-back'), { events: [lostEvent as never] }, { expectedLastSubjectSeq: 0, commandId: lostEvent.commandId, correlationId: lostEvent.correlationId });
    await waitFor('the suspension', async () => (await call('get', { sessionKey: key }, ADMIN)).value.session.status === 'SUSPENDED');
    await call('resume', { sessionKey: key, body: {} }, back);
    planner.add('TSK-LATER');
    const later = (await start('TSK-LATER', back)).session.sessionKey; // started after the loss
    const runner = service.projections.get('session_agent_lost')!;
    await runner.rebuild();
    await runner.catchUp(10_000);
    expect((await call('get', { sessionKey: key }, ADMIN)).value.session.status).toBe('ACTIVE');
    expect((await call('get', { sessionKey: later }, ADMIN)).value.session.status).toBe('ACTIVE');
    const types = (await sessionCommits(key)).flatMap((c) => c.events.map((e) => e.type));
    expect(types.filter((t) => t === 'orchestration.session.suspended')).toHaveLength(1);
  });

  it('keeps orchestration_sessions for operators', async () => {
    await service.projections.get('sessions')!.catchUp(10_000);
    const { rows } = await pg.query(`SELECT task_code, status, current_phase, agent_id, jsonb_array_length(phase_history) AS phases FROM orchestration_sessions WHERE task_code = 'TSK-LOST'`);
    expect(rows).toEqual([{ task_code: 'TSK-LOST', status: 'ACTIVE', current_phase: 'EXECUTE', agent_id: 'agent-new', phases: 4 }]);
  });

  it('leaves orchestration_sessions unchanged when every commit is delivered twice, and a rebuild equals the live one', async () => {
    const snapshot = async () => (await pg.query('SELECT session_key, task_code, status, current_phase, agent_id, phase_history, metadata, version, active_ms FROM orchestration_sessions ORDER BY session_key')).rows;
    const runner = service.projections.get('sessions')!;
    await runner.catchUp(10_000);
    const live = await snapshot();
    const last = await service.infra.store.lastSeq();
    const items: BatchItem[] = [];
    for (let seq = 1; seq <= last; seq++) items.push({ seq, commit: await service.infra.store.readCommit(seq) });
    await new PgApplier(service.infra.dataSource!, sessionProjection).applyBatch(items);
    expect(await snapshot()).toEqual(live);
    await runner.rebuild();
    await runner.catchUp(10_000);
    expect(await snapshot()).toEqual(live);
  });

  it('keeps facts of tasks and bugs from their events, unchanged by a second delivery, equal after a rebuild', async () => {
    const envelope = (type: string, aggregateType: string, aggregateId: string, version: number, data: object) => ({
      id: randomUUID(), type, aggregateType, aggregateId, version, occurredAt: new Date().toISOString(), actor: { kind: 'system', id: 'test' },
      commandId: randomUUID(), correlationId: randomUUID(), causationId: null, schemaVersion: 1, data,
    });
    const append = async (e: ReturnType<typeof envelope>, expected: number) =>
      (await service.infra.store.append(service.infra.subjects.aggregate(e.aggregateType, e.aggregateId), { events: [e as never] }, { expectedLastSubjectSeq: expected, commandId: e.commandId, correlationId: e.correlationId })).seq;
    const created = await append(envelope('orchestration.task.created', 'task', 'TSK-FACT', 1, { code: 'TSK-FACT', sprintCode: null, title: 'Facts', description: 'd', type: 'feature', priority: 'HIGH', estimateMinutes: 15, requiredCapabilities: [], dependsOn: [], status: 'READY' }), 0);
    await append(envelope('orchestration.task.status_updated', 'task', 'TSK-FACT', 2, { from: 'READY', to: 'IN_PROGRESS', reason: null }), created);
    const hash = 'f'.repeat(64);
    const occurrence = { message: 'Error: boom', file: null, line: null, taskCode: 'TSK-FACT', sessionId: null, agentId: null };
    const logged = await append(envelope('orchestration.bug.logged', 'bug', hash, 1, { ...occurrence, hash, fingerprintVersion: 1, errorClass: 'Error', template: 'boom', category: 'runtime', frame: null, stack: null, notes: [] }), 0);
    await append(envelope('orchestration.bug.occurred', 'bug', hash, 2, occurrence), logged);
    const runner = service.projections.get('session_facts')!;
    await runner.catchUp(10_000);
    const snapshot = async () => [(await pg.query('SELECT * FROM session_task_facts ORDER BY task_code')).rows, (await pg.query('SELECT * FROM session_task_bugs ORDER BY bug_hash')).rows];
    const live = await snapshot();
    expect(live[0]).toEqual([expect.objectContaining({ task_code: 'TSK-FACT', status: 'IN_PROGRESS', estimate_minutes: 15 })]);
    expect(live[1]).toEqual([expect.objectContaining({ bug_hash: hash, occurrence_count: 2, status: 'OPEN', tasks: ['TSK-FACT'] })]);
    const items: BatchItem[] = [];
    for (let seq = 1, last = await service.infra.store.lastSeq(); seq <= last; seq++) items.push({ seq, commit: await service.infra.store.readCommit(seq) });
    await new PgApplier(service.infra.dataSource!, factsProjection).applyBatch(items);
    expect(await snapshot()).toEqual(live);
    await runner.rebuild();
    await runner.catchUp(10_000);
    expect(await snapshot()).toEqual(live);
  });

  it("weighs the task's current estimate and the time of all its sessions in instructions and briefings", async () => {
    const envelope = (type: string, version: number, data: object) => ({
      id: randomUUID(), type, aggregateType: 'task', aggregateId: 'TSK-EST', version, occurredAt: new Date().toISOString(), actor: { kind: 'system', id: 'test' },
      commandId: randomUUID(), correlationId: randomUUID(), causationId: null, schemaVersion: 1, data,
    });
    const subject = service.infra.subjects.aggregate('task', 'TSK-EST');
    const append = async (e: ReturnType<typeof envelope>, expected: number) => (await service.infra.store.append(subject, { events: [e as never] }, { expectedLastSubjectSeq: expected, commandId: e.commandId, correlationId: e.correlationId })).seq;
    const created = await append(envelope('orchestration.task.created', 1, { code: 'TSK-EST', sprintCode: null, title: 'Estimate', description: 'd', type: 'feature', priority: 'HIGH', estimateMinutes: 30, requiredCapabilities: [], dependsOn: [], status: 'READY' }), 0);
    planner.add('TSK-EST', { estimateMinutes: 30 });
    const t0 = Date.now();
    const at = (minutes: number) => ({ issuedAt: new Date(t0 + minutes * 60_000).toISOString() });
    const over = (r: SessionReply) => r.instructions.nextActions.filter((a) => a.includes('passes the estimate'));
    // A first session of 20 minutes, then a second one: 15 minutes into it the task has taken 35.
    const first = (await call('start', { taskCode: 'TSK-EST' }, agent('agent-1'), at(0))).value.session.sessionKey;
    const ended = await call('end', { sessionKey: first, body: { force: true } }, agent('agent-1'), at(20));
    await service.projections.get('sessions')!.catchUp(10_000);
    const second = (await call('start', { taskCode: 'TSK-EST' }, agent('agent-1'), at(20))).value.session.sessionKey;
    expect(second).not.toBe(first);
    expect(ended.value.session.status).toBe('COMPLETED');
    await waitFor('the task facts', async () => (await pg.query(`SELECT 1 FROM session_task_facts WHERE task_code = 'TSK-EST'`)).rowCount === 1);
    const before = (await call('get', { sessionKey: second }, agent('agent-1'), at(35))).value;
    expect(before.instructions.contextReminder).toMatchObject({ timeElapsedMs: 15 * 60_000, taskTimeMs: 35 * 60_000, estimateMinutes: 30 });
    expect(over(before)).toEqual(['Time spent on TSK-EST (35m) passes the estimate (30m): update the estimate (PATCH /api/v1/tasks/TSK-EST {"estimateMinutes": …}).']);
    const briefing = (await call<Briefing>('briefing', { sessionKey: second, actions: 3 }, agent('agent-1'), at(35))).value;
    expect(briefing.time).toMatchObject({ activeMs: 15 * 60_000, taskActiveMs: 35 * 60_000, taskTimeSpent: '35m', estimateMinutes: 30, overEstimate: true });

    // PATCH /tasks/TSK-EST {estimateMinutes: 120}, as the planner records it: the advice goes away.
    await append(envelope('orchestration.task.updated', 2, { changes: { estimateMinutes: 120 } }), created);
    const after = await waitFor('the new estimate', async () => {
      const r = (await call('get', { sessionKey: second }, agent('agent-1'), at(35))).value;
      return r.instructions.contextReminder.estimateMinutes === 120 && r;
    });
    expect(over(after)).toEqual([]);
    expect((await call<Briefing>('briefing', { sessionKey: second, actions: 3 }, agent('agent-1'), at(35))).value.time).toMatchObject({ estimateMinutes: 120, overEstimate: false });
  });

  it('refuses bad input naming the field, and unknown sessions and tasks', async () => {
    await expect(call('start', { taskCode: 'nope' })).rejects.toMatchObject({ status: 400, errors: [expect.objectContaining({ path: 'taskCode' })] });
    await expect(call('start', { taskCode: 'TSK-UNKNOWN' })).rejects.toMatchObject({ status: 404, code: 'TASK.NOT_FOUND' });
    await expect(call('note', { sessionKey: 'sess_TSK-X_20260101_000000', body: { text: 'x' } })).rejects.toMatchObject({ status: 404, code: 'SESSION.NOT_FOUND' });
    await expect(call('note', { body: { text: 'x' } }, agent('nobody'))).rejects.toMatchObject({ status: 404, code: 'SESSION.NO_CONTEXT' });
    await expect(call('phaseComplete', { body: { override: true } }, agent('nobody'))).rejects.toMatchObject({ status: 400, errors: [expect.objectContaining({ path: 'body.reason' })] });
    await expect(call('artifact', { sessionKey: 'sess_TSK-X_20260101_000000', body: { name: '../etc/passwd', content: 'x' } })).rejects.toMatchObject({ status: 400, errors: [expect.objectContaining({ path: 'body.name' })] });
    await expect(call('artifact', { sessionKey: 'sess_TSK-X_20260101_000000', body: { name: 'BIG.md', content: 'x'.repeat(256 * 1024 + 1) } })).rejects.toMatchObject({ status: 413, code: 'SESSION.ARTIFACT_TOO_LARGE' });
    // 256 KB is bytes of UTF-8: 90,000 three-byte characters (270,000 bytes) are too large, 87,381 (262,143 bytes) fit.
    planner.add('TSK-BIG');
    const s = await start('TSK-BIG');
    const before = await sessionCommits(s.session.sessionKey);
    await expect(call('artifact', { sessionKey: s.session.sessionKey, body: { name: 'EURO.md', content: '€'.repeat(90_000) } })).rejects.toMatchObject({ status: 413, code: 'SESSION.ARTIFACT_TOO_LARGE' });
    expect(await sessionCommits(s.session.sessionKey)).toHaveLength(before.length);
    expect((await call('artifact', { sessionKey: s.session.sessionKey, body: { name: 'EURO.md', content: '€'.repeat(87_381) } })).value.session.artifacts).toContainEqual(expect.objectContaining({ name: 'EURO.md', size: 262_143 }));
  });
});

describe('session service start-up with a broken template', () => {
  it('stops with an error naming the file, the phase and the field', async () => {
    const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { findConfigDir } = await import('./workflow/templates');
    const dir = mkdtempSync(join(tmpdir(), 'broken-wf-'));
    writeFileSync(join(dir, 'default.yaml'), readFileSync(join(findConfigDir(), 'workflows', 'default.yaml'), 'utf8').replace('required: [CHANGES.md]', 'required: CHANGES.md'));
    const iso = isolatedEnv();
    try {
      await expect(startService(sessionServiceSpec({ workflowsDir: dir }), iso.env)).rejects.toThrow(`Invalid workflow template ${join(dir, 'default.yaml')}, phase "review", field "artifacts.required"`);
    } finally {
      await iso.cleanup();
    }
  });
});
