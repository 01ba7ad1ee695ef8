import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { BugRoutes, type BugLogReply, type RpcMeta, type RpcRoute } from '@orch/contracts';
import { RpcClient } from '@orch/messaging';
import { PgApplier, type BatchItem } from '@orch/projections';
import { startService, type RunningService } from '@orch/service-kit';
import { isolatedEnv, type IsolatedEnv } from '@orch/testing';
import { bugServiceService } from '../app.module';
import { bugProjection } from './bug.projection';

describe('the orchestration_bugs read model (real NATS, Postgres)', () => {
  let iso: IsolatedEnv;
  let service: RunningService;
  let rpc: RpcClient;
  let pg: Client;

  const meta = (): RpcMeta => ({ actor: { kind: 'agent', id: 'agent-9' }, commandId: randomUUID(), issuedAt: new Date().toISOString() });
  const log = async (body: object) => (await rpc.call(BugRoutes.logBug as RpcRoute, body, { meta: meta(), correlationId: randomUUID() })) as { value: BugLogReply; seq: number };
  const caughtUp = async () => service.projections.get('bugs')!.catchUp(10_000);
  const snapshot = async () => (await pg.query('SELECT bug_hash, task_code, error_message, file_path, line_number, status, category, context, version FROM orchestration_bugs ORDER BY bug_hash')).rows;

  beforeAll(async () => {
    iso = isolatedEnv();
    service = await startService(bugServiceService, iso.env);
    rpc = new RpcClient(service.infra.nc, service.infra.subjects);
    pg = new Client({ connectionString: iso.env.DATABASE_URL });
    await pg.connect();
    await pg.query(`SET search_path TO "${iso.env.DB_SCHEMA}"`);
    await log({ message: 'error: column "email" of relation "users" does not exist', file: 'src/repo.ts', line: 4, taskCode: 'TSK-1', sessionKey: 'S-1' });
    await log({ message: 'error: column "email" of relation "users" does not exist', file: 'src/repo.ts', line: 9, taskCode: 'TSK-2', sessionKey: 'S-2' });
    const third = await log({ message: 'error: column "email" of relation "users" does not exist', file: 'src/repo.ts', line: 9, taskCode: 'TSK-2' });
    const once = await log({ message: 'TypeError: x is not a function', file: 'src/a.ts', taskCode: 'TSK-3' });
    await rpc.call(BugRoutes.updateBug as RpcRoute, { hash: once.value.bug.hash, changes: { status: 'RESOLVED' } }, { meta: meta(), correlationId: randomUUID() });
    expect(third.value.bug.occurrenceCount).toBe(3);
    await caughtUp();
  });

  afterAll(async () => {
    await pg?.end();
    await service?.close();
    await iso?.cleanup();
  });

  it("answers the operators' SQL from SPEC §4.4", async () => {
    const { rows } = await pg.query(
      `SELECT bug_hash, error_message, (context->>'occurrence_count')::int AS count FROM orchestration_bugs WHERE (context->>'occurrence_count')::int > 1;`,
    );
    expect(rows).toEqual([{ bug_hash: expect.stringMatching(/^[0-9a-f]{64}$/), error_message: 'error: column "email" of relation "users" does not exist', count: 3 }]);
  });

  it('keeps the seeds columns and the context of every occurrence', async () => {
    const { rows } = await pg.query(`SELECT task_code, file_path, line_number, status, category, context FROM orchestration_bugs WHERE (context->>'occurrence_count')::int = 3`);
    expect(rows[0]).toMatchObject({
      task_code: 'TSK-1',
      file_path: 'src/repo.ts',
      line_number: 9,
      status: 'OPEN',
      category: 'database',
      context: { occurrence_count: 3, error_type: 'DatabaseError', last_task_code: 'TSK-2', tasks: ['TSK-1', 'TSK-2'], sessions: ['S-1', 'S-2'], agents: ['agent-9'], fingerprint_version: 1 },
    });
    const resolved = await pg.query(`SELECT status, context->>'last_seen' AS last_seen FROM orchestration_bugs WHERE status = 'RESOLVED'`);
    expect(resolved.rows).toHaveLength(1);
  });

  it('answers get and list from the read model with read-your-writes', async () => {
    const q = (route: 'getBug' | 'listBugs', payload: object, minSeq?: number) =>
      rpc.call(BugRoutes[route] as RpcRoute, payload, { meta: { ...meta(), ...(minSeq ? { minSeq } : {}) }, correlationId: randomUUID() }) as Promise<{ value: any }>;
    const fresh = await log({ message: 'Error: fresh one', file: 'src/f.ts', taskCode: 'TSK-9' });
    const got = await q('getBug', { hash: fresh.value.bug.hash }, fresh.seq);
    expect(got.value).toEqual(fresh.value.bug);
    const byTask = await q('listBugs', { task: 'TSK-2', limit: 10 }, fresh.seq);
    expect(byTask.value.items.map((b: { occurrenceCount: number }) => b.occurrenceCount)).toEqual([3]);
    const resolved = await q('listBugs', { status: 'RESOLVED', limit: 10 }, fresh.seq);
    expect(resolved.value.items).toHaveLength(1);
    await expect(q('getBug', { hash: 'e'.repeat(64) })).rejects.toMatchObject({ code: 'BUG.NOT_FOUND' });
  });

  it('is unchanged when every commit is delivered a second time', async () => {
    const once = await snapshot();
    const last = await service.infra.store.lastSeq();
    const items: BatchItem[] = [];
    for (let seq = 1; seq <= last; seq++) items.push({ seq, commit: await service.infra.store.readCommit(seq) });
    await new PgApplier(service.infra.dataSource!, bugProjection).applyBatch(items);
    expect(await snapshot()).toEqual(once);
  });

  it('rebuilt from sequence 1 equals the live one', async () => {
    const live = await snapshot();
    const runner = service.projections.get('bugs')!;
    await runner.rebuild();
    await runner.catchUp(10_000);
    expect(await snapshot()).toEqual(live);
  });
});
