import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Subjects, TaskView } from '@orch/contracts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The planner's two task routes, answered from memory, for the service's integration tests (the
 * real planner runs in the e2e tests). Status changes are recorded so tests can assert them.
 */
export class FakePlanner {
  readonly tasks = new Map<string, TaskView>();
  readonly statusChanges: Array<{ code: string; status: string }> = [];
  private readonly subs: Subscription[] = [];

  constructor(nc: NatsConnection, subjects: Subjects) {
    this.subs.push(
      nc.subscribe(subjects.rpc('planner', 'task.get'), {
        callback: (_e, msg) => {
          const { payload } = JSON.parse(decoder.decode(msg.data)) as { payload: { code: string } };
          const task = this.tasks.get(payload.code);
          msg.respond(encoder.encode(JSON.stringify(task ? { ok: true, value: task } : { ok: false, error: { name: 'NotFoundError', code: 'TASK.NOT_FOUND', status: 404, message: 'no such task', extra: {} } })));
        },
      }),
      nc.subscribe(subjects.rpc('planner', 'task.update'), {
        callback: (_e, msg) => {
          const { payload } = JSON.parse(decoder.decode(msg.data)) as { payload: { code: string; changes: { status: TaskView['status'] } } };
          const task = this.tasks.get(payload.code)!;
          task.status = payload.changes.status;
          this.statusChanges.push({ code: task.code, status: task.status });
          msg.respond(encoder.encode(JSON.stringify({ ok: true, value: task })));
        },
      }),
    );
  }

  add(code: string, over: Partial<TaskView> = {}): TaskView {
    const task: TaskView = {
      code,
      sprintCode: 'SPR-1',
      title: `Task ${code}`,
      description: 'Make it so',
      type: 'feature',
      priority: 'MEDIUM',
      estimateMinutes: 60,
      requiredCapabilities: [],
      dependsOn: [],
      status: 'READY',
      assignee: null,
      version: 1,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      metadata: {},
      ...over,
    };
    this.tasks.set(code, task);
    return task;
  }

  close(): void {
    for (const s of this.subs) s.unsubscribe();
  }
}
