import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { BugRoutes, type RpcMeta, type RpcRoute } from '@orch/contracts';
import { NotFoundError, ValidationError } from '@orch/errors';
import { RpcClient, type CallResult } from '@orch/messaging';
import { startService, type RunningService } from '@orch/service-kit';
import { isolatedEnv, type IsolatedEnv } from '@orch/testing';
import { bugServiceService } from '../app.module';

describe('bugs (real NATS)', () => {
  let iso: IsolatedEnv;
  let service: RunningService;
  let rpc: RpcClient;

  const meta = (over: Partial<RpcMeta> = {}): RpcMeta => ({ actor: { kind: 'agent', id: 'agent-1' }, commandId: randomUUID(), issuedAt: new Date().toISOString(), ...over });
  type Out<K extends keyof typeof BugRoutes> = CallResult<z.infer<(typeof BugRoutes)[K]['response']>>;
  const call = <K extends keyof typeof BugRoutes>(route: K, payload: unknown, over: Partial<RpcMeta> = {}): Promise<Out<K>> =>
    rpc.call(BugRoutes[route] as RpcRoute, payload, { meta: meta(over), correlationId: randomUUID() }) as Promise<Out<K>>;

  beforeAll(async () => {
    iso = isolatedEnv();
    service = await startService(bugServiceService, iso.env);
    rpc = new RpcClient(service.infra.nc, service.infra.subjects);
  });

  afterAll(async () => {
    await service?.close();
    await iso?.cleanup();
  });

  it('logs a new bug, counts a recurrence, and after a resolve reports a regression', async () => {
    const first = await call('logBug', { message: 'TypeError: x.map is not a function', file: 'src/view.ts', line: 3, taskCode: 'TSK-1' });
    expect(first.value).toMatchObject({ outcome: 'new', bug: { occurrenceCount: 1, category: 'type', status: 'OPEN', lastTaskCode: 'TSK-1' } });
    // No planner runs here: the task cannot be checked, which is a warning, not a failure.
    expect(first.value.warnings).toEqual([expect.stringContaining('could not check task code TSK-1')]);
    const again = await call('logBug', { message: 'TypeError: x.map is not a function', file: 'src/view.ts', line: 30, taskCode: 'TSK-2' });
    expect(again.value).toMatchObject({ outcome: 'recurring', bug: { hash: first.value.bug.hash, occurrenceCount: 2, tasks: ['TSK-1', 'TSK-2'], line: 30 } });
    const resolved = await call('updateBug', { hash: first.value.bug.hash, changes: { status: 'RESOLVED', resolution: 'fixed' } });
    expect(resolved.value.status).toBe('RESOLVED');
    const back = await call('logBug', { message: 'TypeError: x.map is not a function', file: 'src/view.ts' });
    expect(back.value).toMatchObject({ outcome: 'regression', bug: { status: 'OPEN', occurrenceCount: 3, regressionCount: 1 } });
  });

  it('cuts secrets from the message and stack before anything is stored, and says how many', async () => {
    const password = 'S3cr3t-Pa55word';
    const token = ['ghp_', 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'].join('');
    const r = await call('logBug', {
      message: `error: password authentication failed for postgres://app:${password}@db:5432/app`,
      stack: `Error: push failed with ${token}\n    at push (/repo/src/git.ts:3:1)`,
      file: 'src/db.ts',
    });
    expect(r.value.warnings).toContain('2 secret(s) redacted from the message and stack before storing');
    expect(JSON.stringify(r.value.bug)).not.toContain(password);
    const stored = await service.infra.jsm.streams.getMessage(iso.env.NATS_STREAM!, { seq: r.seq! });
    const commit = new TextDecoder().decode(stored!.data);
    expect(commit).not.toContain(password);
    expect(commit).not.toContain(token);
    expect(commit).toContain('[REDACTED:url_password]');
    expect(JSON.parse(commit).events[0].data.redactions).toBe(2);
  });

  it('counts 50 concurrent logs of one bug exactly once each', async () => {
    const body = (i: number) => ({ message: `Error: lock lost for job_${1000 + i}`, file: 'src/jobs.ts', sessionKey: `S-${i % 5}`, agentId: `agent-${i}` });
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => call('logBug', body(i))));
    expect(new Set(replies.map((r) => r.value.bug.hash)).size).toBe(1);
    expect(replies.filter((r) => r.value.outcome === 'new')).toHaveLength(1);
    expect(Math.max(...replies.map((r) => r.value.bug.occurrenceCount))).toBe(50);
    const one = await call('logBug', body(50));
    expect(one.value.bug).toMatchObject({ occurrenceCount: 51, sessions: expect.arrayContaining(['S-0', 'S-4']) });
    expect(one.value.bug.agents).toHaveLength(51);
  });

  it('takes a retried command once', async () => {
    const commandId = randomUUID();
    const a = await call('logBug', { message: 'Error: retried once', file: 'src/r.ts' }, { commandId });
    const b = await call('logBug', { message: 'Error: retried once', file: 'src/r.ts' }, { commandId });
    expect(b.seq).toBe(a.seq);
    expect(b.value.bug.occurrenceCount).toBe(1);
  });

  // A NATS message holds at most 1 MB (max_payload), so this stack stays below it; the service cuts it to MAX_STACK_CHARS.
  it('refuses an empty message, and keeps a large stack with binary garbage, cut with a note', async () => {
    await expect(call('logBug', { message: '   ' })).rejects.toBeInstanceOf(ValidationError);
    const stack = `Error: big\n${'\u0007garbage\uFFFD '.repeat(35_000)}`;
    const big = await call('logBug', { message: 'Error: big\u0000', stack, file: 'src/big.ts' });
    expect(big.value.outcome).toBe('new');
    expect(big.value.warnings[0]).toMatch(/stack truncated/);
    expect(big.value.bug.message).toBe('Error: big');
  });

  it('logs a report whose task is not a task code, with a warning', async () => {
    const r = await call('logBug', { message: 'Error: odd task', file: 'src/t.ts', taskCode: 'not a code' });
    expect(r.value.outcome).toBe('new');
    expect(r.value.warnings).toEqual([expect.stringContaining('not a code is not a task code')]);
  });

  it('answers 404 for resolving an unknown bug', async () => {
    await expect(call('updateBug', { hash: 'f'.repeat(64), changes: { status: 'RESOLVED' } })).rejects.toBeInstanceOf(NotFoundError);
  });
});
