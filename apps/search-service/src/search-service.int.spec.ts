import { randomUUID } from 'node:crypto';
import { LogRoutes, type RpcMeta } from '@orch/contracts';
import { RpcClient } from '@orch/messaging';
import { PgApplier, type BatchItem } from '@orch/projections';
import { startService, type RunningService } from '@orch/service-kit';
import { isolatedEnv, type IsolatedEnv } from '@orch/testing';
import { eventsProjection } from './read-model/events.projection';
import { searchService } from './search-service';
import { LogWriter, type DraftEvent } from './testing/log-writer';

describe('the search service projects every event of the log', () => {
  let iso: IsolatedEnv;
  let search: RunningService;
  let rpc: RpcClient;
  const meta = (over: Partial<RpcMeta> = {}): RpcMeta => ({ actor: { kind: 'agent', id: 'a1' }, commandId: randomUUID(), issuedAt: new Date().toISOString(), ...over });

  /** Appends commits the way the planner would, through the event store (no planner needed). */
  const append = (aggregateType: string, id: string, events: DraftEvent[]) => new LogWriter(search.infra).append(aggregateType, id, events);

  const list = (payload: object, minSeq?: number) => rpc.call(LogRoutes.listEvents, payload as never, { meta: meta({ minSeq }), correlationId: 'c' });

  beforeAll(async () => {
    iso = isolatedEnv();
    search = await startService(searchService, iso.env);
    rpc = new RpcClient(search.infra.nc, search.infra.subjects);
  });

  afterAll(async () => {
    await search?.close();
    await iso?.cleanup();
  });

  it('fills the scope columns, remembering a task’s sprint for events that do not state it', async () => {
    await append('sprint', 'SPR-1', [{ type: 'orchestration.sprint.created', data: { code: 'SPR-1', title: 'S', goal: null, status: 'PLANNED' } }]);
    await append('task', 'TSK-1', [
      { type: 'orchestration.task.created', data: { code: 'TSK-1', sprintCode: 'SPR-1', title: 't', description: '', type: 'feature', priority: 'LOW', estimateMinutes: null, requiredCapabilities: [], dependsOn: [], status: 'BACKLOG' } },
    ]);
    const seq = await append('task', 'TSK-1', [{ type: 'orchestration.task.status_updated', data: { from: 'BACKLOG', to: 'READY', reason: null } }]);
    await search.projections.waitFor(seq, 5_000);
    const rows = await search.infra.dataSource!.query('SELECT event_type, entity_type, entity_id, task_code, sprint_code FROM orchestration_events ORDER BY seq, event_index');
    expect(rows).toEqual([
      { event_type: 'orchestration.sprint.created', entity_type: 'sprint', entity_id: 'SPR-1', task_code: null, sprint_code: 'SPR-1' },
      { event_type: 'orchestration.task.created', entity_type: 'task', entity_id: 'TSK-1', task_code: 'TSK-1', sprint_code: 'SPR-1' },
      { event_type: 'orchestration.task.status_updated', entity_type: 'task', entity_id: 'TSK-1', task_code: 'TSK-1', sprint_code: 'SPR-1' },
    ]);
  });

  it('pages the log by sequence with type filters, never splitting a commit', async () => {
    const big = await append('task', 'TSK-2', [
      { type: 'orchestration.task.created', data: { code: 'TSK-2', sprintCode: null, title: 't2', description: '', type: 'feature', priority: 'LOW', estimateMinutes: null, requiredCapabilities: [], dependsOn: [], status: 'BACKLOG' } },
      { type: 'orchestration.task.updated', data: { changes: { title: 't2b' } } },
      { type: 'orchestration.task.status_updated', data: { from: 'BACKLOG', to: 'READY', reason: null } },
    ]);
    const all = await list({ after: 0, limit: 1000 }, big);
    expect(all.value.items).toHaveLength(6);
    expect(all.value.nextAfter).toBe(big);

    const first = await list({ after: 0, limit: 4 }, big);
    expect(first.value.items.map((e) => e.seq)).toEqual([1, 2, 3]); // the 3-event commit does not fit after them
    const second = await list({ after: first.value.nextAfter, limit: 4 }, big);
    expect(second.value.items.map((e) => e.type)).toEqual(['orchestration.task.created', 'orchestration.task.updated', 'orchestration.task.status_updated']);
    expect((await list({ after: big, limit: 10 })).value).toEqual({ items: [], nextAfter: big });

    const moves = await list({ type: 'orchestration.task.status_updated' }, big);
    expect(moves.value.items.map((e) => e.aggregateId)).toEqual(['TSK-1', 'TSK-2']);
    const sprints = await list({ type: 'orchestration.sprint.*' }, big);
    expect(sprints.value.items).toHaveLength(1);
  });

  it('is unchanged when every commit is delivered twice, and a rebuild equals it', async () => {
    const runner = search.projections.get('search_events')!;
    await runner.catchUp(5_000);
    const snapshot = () => search.infra.dataSource!.query('SELECT seq, event_index, event_id, event_type, task_code, sprint_code, payload FROM orchestration_events ORDER BY seq, event_index');
    const live = await snapshot();
    const last = await search.infra.store.lastSeq();
    const items: BatchItem[] = [];
    for (let seq = 1; seq <= last; seq++) items.push({ seq, commit: await search.infra.store.readCommit(seq) });
    await new PgApplier(search.infra.dataSource!, eventsProjection).applyBatch(items);
    expect(await snapshot()).toEqual(live);
    await runner.rebuild();
    await runner.catchUp(5_000);
    expect(await snapshot()).toEqual(live);
  });

  it('refuses a bad type filter or paging values, naming them', async () => {
    await expect(list({ type: 'orchestration.task.*; drop table' })).rejects.toMatchObject({ code: 'REQUEST.INVALID', errors: [expect.objectContaining({ path: 'type' })] });
    await expect(list({ limit: 0 })).rejects.toMatchObject({ errors: [expect.objectContaining({ path: 'limit' })] });
    await expect(list({ after: -1 })).rejects.toMatchObject({ errors: [expect.objectContaining({ path: 'after' })] });
  });
});
