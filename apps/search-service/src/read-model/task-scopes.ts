import type { EventEnvelope } from '@orch/contracts';
import type { EntityManager } from 'typeorm';
import { SearchTaskScope } from './entities';
import { moveTaskToSprint } from './scope-stats';

/**
 * Which sprint each task is in: remembered from the events that state it, used for those that
 * do not. Read once per batch for the batch's tasks, written once per batch.
 */
export class TaskScopes {
  private readonly changed = new Map<string, string | null>();
  /** Tasks that left a sprint during the batch, with the sprint they were in before it. */
  private readonly moved = new Map<string, string | null>();

  private constructor(private readonly known: Map<string, string | null>) {}

  static async load(tx: EntityManager, codes: Array<string | null>): Promise<TaskScopes> {
    const wanted = [...new Set(codes.filter((c): c is string => c !== null))];
    const rows = wanted.length ? await tx.query(`SELECT task_code, sprint_code FROM search_task_scopes WHERE task_code = ANY($1)`, [wanted]) : [];
    return new TaskScopes(new Map(rows.map((r: { task_code: string; sprint_code: string | null }) => [r.task_code, r.sprint_code])));
  }

  sprintOf(e: EventEnvelope, taskCode: string | null): string | null {
    if (e.aggregateType === 'sprint') return e.aggregateId;
    const stated = sprintFromTaskEvent(e);
    if (taskCode && stated !== undefined) {
      if (this.known.has(taskCode) && this.known.get(taskCode) !== stated && !this.moved.has(taskCode)) this.moved.set(taskCode, this.known.get(taskCode)!);
      this.known.set(taskCode, stated);
      this.changed.set(taskCode, stated);
      return stated;
    }
    const fromData = e.data.sprintCode;
    if (typeof fromData === 'string' && fromData) return fromData;
    return taskCode ? (this.known.get(taskCode) ?? null) : null;
  }

  /** Writes the memory and moves the events of tasks that changed sprint; returns the sprints affected. */
  async save(tx: EntityManager): Promise<string[]> {
    if (this.changed.size === 0) return [];
    const rows = [...this.changed].map(([taskCode, sprintCode]) => ({ taskCode, sprintCode }));
    await tx.upsert(SearchTaskScope, rows, ['taskCode']);
    const affected: string[] = [];
    for (const [taskCode, from] of this.moved) {
      const to = this.known.get(taskCode) ?? null;
      if (from === to) continue;
      await moveTaskToSprint(tx, taskCode, from, to);
      affected.push(...[from, to].filter((s): s is string => s !== null));
    }
    return affected;
  }
}

/** undefined: the event says nothing about the sprint; null: the task has no sprint (any more). */
function sprintFromTaskEvent(e: EventEnvelope): string | null | undefined {
  if (e.aggregateType !== 'task') return undefined;
  if (e.type === 'orchestration.task.created') return (e.data.sprintCode as string | null) ?? null;
  const changes = e.data.changes as Record<string, unknown> | undefined;
  if (changes && 'sprintCode' in changes) return (changes.sprintCode as string | null) ?? null;
  return undefined;
}
