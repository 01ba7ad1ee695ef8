import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { PlannerRoutes, type RpcMeta, type RpcRoute } from '@orch/contracts';
import { ConflictError, NotFoundError, PreconditionFailedError, RuleViolation, ValidationError } from '@orch/errors';
import { RpcClient, type CallResult } from '@orch/messaging';
import { PgApplier, type BatchItem } from '@orch/projections';
import { startService, type RunningService } from '@orch/service-kit';
import { isolatedEnv, type IsolatedEnv } from '@orch/testing';
import { plannerService } from './planner';
import { plannerProjection } from './read-model/planner.projection';

describe('the planner service (real NATS, Postgres)', () => {
  let iso: IsolatedEnv;
  let planner: RunningService;
  let rpc: RpcClient;

  const meta = (over: Partial<RpcMeta> = {}): RpcMeta => ({ actor: { kind: 'human', id: 'ann' }, commandId: randomUUID(), issuedAt: new Date().toISOString(), ...over });
  type Out<K extends keyof typeof PlannerRoutes> = CallResult<z.infer<(typeof PlannerRoutes)[K]['response']>>;
  const call = <K extends keyof typeof PlannerRoutes>(route: K, payload: unknown, over: Partial<RpcMeta> = {}): Promise<Out<K>> =>
    rpc.call(PlannerRoutes[route] as RpcRoute, payload, { meta: meta(over), correlationId: randomUUID() }) as Promise<Out<K>>;
  const lastSeq = () => planner.infra.store.lastSeq();

  beforeAll(async () => {
    iso = isolatedEnv();
    planner = await startService(plannerService, iso.env);
    rpc = new RpcClient(planner.infra.nc, planner.infra.subjects);
  });

  afterAll(async () => {
    await planner?.close();
    await iso?.cleanup();
  });

  describe('sprints and tasks', () => {
    it('creates a sprint and a task and reads them back at once with read-your-writes', async () => {
      const sprint = await call('createSprint', { code: 'SPR-1', title: 'First', goal: 'Ship' });
      expect(sprint.value).toMatchObject({ code: 'SPR-1', status: 'PLANNED', version: 1, taskCount: 0 });
      const task = await call('createTask', { sprintCode: 'SPR-1', title: 'Write docs', priority: 'HIGH', requiredCapabilities: ['document_creation'] });
      expect(task.value).toMatchObject({ sprintCode: 'SPR-1', status: 'BACKLOG', priority: 'HIGH', type: 'feature', version: 1 });
      expect(task.value.code).toMatch(/^TSK-[0-9A-F]{10}$/);
      expect(task.seq).toBeGreaterThan(sprint.seq!);

      const read = await call('getTask', { code: task.value.code }, { minSeq: task.seq });
      expect(read.value).toEqual(task.value);
      expect(read.readSeq).toBeGreaterThanOrEqual(task.seq!);
      const s = await call('getSprint', { code: 'SPR-1' }, { minSeq: task.seq });
      expect(s.value.taskCount).toBe(1);
    });

    it('lists tasks by sprint, status and assignee, page by page', async () => {
      await call('createSprint', { code: 'SPR-L', title: 'List' });
      for (let i = 1; i <= 5; i++) await call('createTask', { code: `TSK-L${i}`, sprintCode: 'SPR-L', title: `Task ${i}` });
      const moved = await call('updateTask', { code: 'TSK-L2', changes: { status: 'READY' } });
      const assigned = await call('updateTask', { code: 'TSK-L3', changes: { assignee: 'agent-7' } });
      const minSeq = Math.max(moved.seq!, assigned.seq!);

      const page1 = await call('listTasks', { sprint: 'SPR-L', limit: 2 }, { minSeq });
      expect(page1.value.items.map((t) => t.code)).toEqual(['TSK-L1', 'TSK-L2']);
      const page2 = await call('listTasks', { sprint: 'SPR-L', limit: 2, after: page1.value.nextCursor }, { minSeq });
      expect(page2.value.items.map((t) => t.code)).toEqual(['TSK-L3', 'TSK-L4']);
      expect((await call('listTasks', { sprint: 'SPR-L', status: 'READY' }, { minSeq })).value.items.map((t) => t.code)).toEqual(['TSK-L2']);
      expect((await call('listTasks', { assignee: 'agent-7' }, { minSeq })).value.items.map((t) => t.code)).toEqual(['TSK-L3']);
    });

    it('writes a retried create once: same Idempotency-Key, same task, same sequence', async () => {
      const commandId = randomUUID();
      const first = await call('createTask', { title: 'Once' }, { commandId });
      const before = await lastSeq();
      const again = await call('createTask', { title: 'Once' }, { commandId });
      expect(again.value.code).toBe(first.value.code);
      expect(again.seq).toBe(first.seq);
      expect(await lastSeq()).toBe(before);
    });

    it('advances a task once when 20 callers move it to IN_PROGRESS at the same moment', async () => {
      await call('createTask', { code: 'TSK-RACE', title: 'Race' });
      await call('updateTask', { code: 'TSK-RACE', changes: { status: 'READY' } });
      await Promise.all(Array.from({ length: 20 }, () => call('updateTask', { code: 'TSK-RACE', changes: { status: 'IN_PROGRESS' } })));
      const history = await planner.infra.store.readSubject(planner.infra.subjects.aggregate('task', 'TSK-RACE'));
      const moves = history.flatMap((c) => c.events).filter((e) => e.type === 'orchestration.task.status_updated');
      expect(moves.map((e) => e.data.to)).toEqual(['READY', 'IN_PROGRESS']);
    });
  });

  describe('rules and bad input (the log does not move)', () => {
    const refusedWithoutWriting = async (attempt: Promise<unknown>, errorClass: new (...a: never[]) => Error, code: string) => {
      const before = await lastSeq();
      await expect(attempt).rejects.toBeInstanceOf(errorClass);
      await expect(attempt).rejects.toMatchObject({ code });
      expect(await lastSeq()).toBe(before);
    };

    beforeAll(async () => {
      await call('createTask', { code: 'TSK-R1', title: 'Rules' });
    });

    it('refuses an illegal transition, naming it', async () => {
      const attempt = call('updateTask', { code: 'TSK-R1', changes: { status: 'DONE' } });
      await refusedWithoutWriting(attempt, RuleViolation, 'TASK.ILLEGAL_TRANSITION');
      await expect(attempt).rejects.toThrow('Task TSK-R1 cannot go from BACKLOG to DONE');
    });

    it('answers 404 for an unknown task or sprint', async () => {
      await refusedWithoutWriting(call('updateTask', { code: 'TSK-NOPE', changes: { title: 'x' } }), NotFoundError, 'TASK.NOT_FOUND');
      await expect(call('getTask', { code: 'TSK-NOPE' })).rejects.toBeInstanceOf(NotFoundError);
      await expect(call('getSprint', { code: 'SPR-NOPE' })).rejects.toMatchObject({ code: 'SPRINT.NOT_FOUND' });
    });

    it('answers 409 for a duplicate code', async () => {
      await refusedWithoutWriting(call('createTask', { code: 'TSK-R1', title: 'Again' }), ConflictError, 'TASK.EXISTS');
    });

    it('answers 412 when If-Match names an old version', async () => {
      await refusedWithoutWriting(call('updateTask', { code: 'TSK-R1', changes: { title: 'x' } }, { expectedVersion: 7 }), PreconditionFailedError, 'VERSION.MISMATCH');
    });

    it('refuses references to a missing sprint or dependency and dependency cycles', async () => {
      await refusedWithoutWriting(call('createTask', { title: 'x', sprintCode: 'SPR-NONE' }), RuleViolation, 'TASK.SPRINT_NOT_FOUND');
      await refusedWithoutWriting(call('createTask', { title: 'x', dependsOn: ['TSK-GHOST'] }), RuleViolation, 'TASK.UNKNOWN_DEPENDENCIES');
      await call('createTask', { code: 'TSK-C1', title: 'c1' });
      await call('createTask', { code: 'TSK-C2', title: 'c2', dependsOn: ['TSK-C1'] });
      const cycle = call('updateTask', { code: 'TSK-C1', changes: { dependsOn: ['TSK-C2'] } });
      await refusedWithoutWriting(cycle, RuleViolation, 'TASK.DEPENDENCY_CYCLE');
      await expect(cycle).rejects.toThrow('TSK-C1 → TSK-C2 → TSK-C1');
    });

    it('refuses to make a task READY while a dependency is not done', async () => {
      await refusedWithoutWriting(call('updateTask', { code: 'TSK-C2', changes: { status: 'READY' } }), RuleViolation, 'TASK.DEPENDENCIES_OPEN');
    });

    it.each([
      ['an unknown field', { title: 'x', colour: 'red' }, 'colour'],
      ['a wrong type', { title: 42 }, 'title'],
      ['an empty title', { title: '   ' }, 'title'],
      ['a hostile code', { code: 'TSK-1.2>*', title: 'x' }, 'code'],
      ['a bad priority', { title: 'x', priority: 'URGENT' }, 'priority'],
    ])('refuses %s, naming the field', async (_what, payload, field) => {
      const before = await lastSeq();
      const attempt = call('createTask', payload);
      await expect(attempt).rejects.toBeInstanceOf(ValidationError);
      const error = (await attempt.catch((e) => e)) as ValidationError;
      expect(error.errors.map((e) => e.path).join(' ')).toContain(field);
      expect(await lastSeq()).toBe(before);
    });
  });

  describe('the read model', () => {
    const snapshot = async () => {
      const ds = planner.infra.dataSource!;
      const tasks = await ds.query('SELECT task_code, sprint_code, sprint_id IS NOT NULL AS has_sprint, title, status, priority, assignee, depends_on, version, created_at, updated_at FROM orchestration_tasks ORDER BY task_code');
      const sprints = await ds.query('SELECT sprint_code, title, goal, status, version, created_at, updated_at FROM orchestration_sprints ORDER BY sprint_code');
      return { tasks, sprints };
    };

    it('is unchanged when every commit is delivered a second time', async () => {
      const runner = planner.projections.get('planner')!;
      await runner.catchUp(10_000);
      const once = await snapshot();
      const last = await lastSeq();
      const items: BatchItem[] = [];
      for (let seq = 1; seq <= last; seq++) items.push({ seq, commit: await planner.infra.store.readCommit(seq) });
      await new PgApplier(planner.infra.dataSource!, plannerProjection).applyBatch(items);
      expect(await snapshot()).toEqual(once);
    });

    it('rebuilt from sequence 1 equals the live one', async () => {
      const runner = planner.projections.get('planner')!;
      await runner.catchUp(10_000);
      const live = await snapshot();
      await runner.rebuild();
      await runner.catchUp(10_000);
      expect(await snapshot()).toEqual(live);
    });
  });
});
