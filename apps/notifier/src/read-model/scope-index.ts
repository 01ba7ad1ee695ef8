import { TaskEvent, WorkflowEvent, type EventEnvelope } from '@orch/contracts';
import type { EntityManager } from 'typeorm';
import { sprintOf, tasksOf } from './match';

/** The tasks and sprints an event is about, for the subscriptions' task and sprint filters. */
export interface EventScope {
  tasks: string[];
  sprints: string[];
}

interface WorkflowScope {
  sprintCode: string | null;
  taskCodes: string[];
}

/** What an event names itself, with no lookup. */
const directScope = (e: EventEnvelope): EventScope => ({ tasks: tasksOf(e), sprints: [sprintOf(e)].filter((s): s is string => s !== null) });

/**
 * The notifier's own projection of task → sprint and workflow → sprint + tasks, kept in the
 * webhook projection's transaction, in log order. Most events worth a message (a blocked task, a
 * bug, a lost agent, a completed workflow) do not carry their sprint; this is where a sprint filter
 * finds it, as it stood at that event's place in the log. One instance per batch: it caches what it
 * read, and what it writes it also caches, so later events of the batch see it.
 */
export class ScopeIndex {
  private readonly tasks = new Map<string, string | null>();
  private readonly workflows = new Map<string, WorkflowScope | null>();

  constructor(private readonly tx: EntityManager) {}

  /** Records where a task or workflow belongs; answers the sprint a task just left, if it moved. */
  async track(e: EventEnvelope): Promise<string | null> {
    if (e.aggregateType === 'task') return this.trackTask(e);
    if (e.aggregateType === 'workflow' && e.type === 'orchestration.workflow.started') {
      // Another service's event: when it does not parse, its own consumer dead-letters it; the
      // notifier still delivers it by type and only loses the sprint lookup.
      const parsed = WorkflowEvent.safeParse({ type: e.type, data: e.data });
      if (!parsed.success || parsed.data.type !== 'orchestration.workflow.started') return null;
      const scope = { sprintCode: parsed.data.data.sprintCode, taskCodes: parsed.data.data.taskCodes };
      await this.tx.query(
        `INSERT INTO webhook_workflow_scopes (workflow_id, sprint_code, task_codes) VALUES ($1, $2, $3::jsonb)
         ON CONFLICT (workflow_id) DO UPDATE SET sprint_code = EXCLUDED.sprint_code, task_codes = EXCLUDED.task_codes`,
        [e.aggregateId, scope.sprintCode, JSON.stringify(scope.taskCodes)],
      );
      this.workflows.set(e.aggregateId, scope);
    }
    return null;
  }

  /** The event's own task and sprint, plus the sprint of every task it names and of its workflow. */
  async scopeOf(e: EventEnvelope, leftSprint: string | null = null): Promise<EventScope> {
    const direct = directScope(e);
    const tasks = new Set(direct.tasks);
    const sprints = new Set(direct.sprints);
    if (leftSprint) sprints.add(leftSprint);
    if (e.aggregateType === 'workflow') {
      const wf = await this.workflow(e.aggregateId);
      if (wf?.sprintCode) sprints.add(wf.sprintCode);
      for (const t of wf?.taskCodes ?? []) tasks.add(t);
    }
    for (const t of tasks) {
      const sprint = await this.sprintOfTask(t);
      if (sprint) sprints.add(sprint);
    }
    return { tasks: [...tasks], sprints: [...sprints] };
  }

  private async trackTask(e: EventEnvelope): Promise<string | null> {
    const parsed = TaskEvent.safeParse({ type: e.type, data: e.data });
    if (!parsed.success) return null;
    const event = parsed.data;
    if (event.type === 'orchestration.task.created') {
      await this.setTaskSprint(e.aggregateId, event.data.sprintCode);
      return null;
    }
    if (event.type === 'orchestration.task.updated' && event.data.changes.sprintCode !== undefined) {
      const before = await this.sprintOfTask(e.aggregateId);
      await this.setTaskSprint(e.aggregateId, event.data.changes.sprintCode);
      return before !== event.data.changes.sprintCode ? before : null;
    }
    return null;
  }

  private async setTaskSprint(task: string, sprint: string | null): Promise<void> {
    await this.tx.query(
      `INSERT INTO webhook_task_scopes (task_code, sprint_code) VALUES ($1, $2) ON CONFLICT (task_code) DO UPDATE SET sprint_code = EXCLUDED.sprint_code`,
      [task, sprint],
    );
    this.tasks.set(task, sprint);
  }

  private async sprintOfTask(task: string): Promise<string | null> {
    if (!this.tasks.has(task)) {
      const rows: Array<{ sprint_code: string | null }> = await this.tx.query('SELECT sprint_code FROM webhook_task_scopes WHERE task_code = $1', [task]);
      this.tasks.set(task, rows[0]?.sprint_code ?? null);
    }
    return this.tasks.get(task)!;
  }

  private async workflow(id: string): Promise<WorkflowScope | null> {
    if (!this.workflows.has(id)) {
      const rows: Array<{ sprint_code: string | null; task_codes: string[] }> = await this.tx.query('SELECT sprint_code, task_codes FROM webhook_workflow_scopes WHERE workflow_id = $1', [id]);
      this.workflows.set(id, rows[0] ? { sprintCode: rows[0].sprint_code, taskCodes: rows[0].task_codes } : null);
    }
    return this.workflows.get(id)!;
  }
}
