import { Inject, Injectable } from '@nestjs/common';
import { TaskEvent, type EventEnvelope, type StoredCommit, type Subjects, type TaskStatus } from '@orch/contracts';
import type { EventStore } from '@orch/event-store';
import { EVENT_STORE, SUBJECTS } from '@orch/service-kit';

/** What the agent manager needs of a task, folded from the task's own subject in the log. */
export interface TaskFacts {
  code: string;
  sprintCode: string | null;
  title: string;
  type: string;
  estimateMinutes: number | null;
  requiredCapabilities: string[];
  status: TaskStatus;
  assignee: string | null;
  /** Who held it before the last change of assignee (a lost agent → the next one resumes). */
  previousAssignee: string | null;
  version: number;
}

/**
 * Reads a task straight from the log (a handful of commits per task), so that the version an
 * assignment expects is exact rather than what a read model had applied so far.
 */
/** Tasks kept folded per instance; beyond this the oldest are forgotten (and read again if needed). */
const CACHE_SIZE = 20_000;

interface Cached {
  task: TaskFacts;
  lastSeq: number;
}

/**
 * Reads a task straight from the log, so that the version an assignment expects is exact rather
 * than what a read model had applied so far. Folded tasks are cached: a later read fetches only the
 * commits after the cached one, and a commit the consumer delivers is folded without any read when
 * its version follows the cached one (versions per aggregate have no gaps).
 */
@Injectable()
export class TaskLookup {
  private readonly cache = new Map<string, Cached>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(SUBJECTS) private readonly subjects: Subjects,
  ) {}

  /** The task as of a delivered commit, when that needs no read; otherwise null (use `load`). */
  observe(commit: StoredCommit): TaskFacts | null {
    const code = commit.events[0]?.aggregateId;
    const first = commit.events[0]?.version;
    if (!code || first === undefined) return null;
    const cached = this.cache.get(code);
    if (cached && cached.lastSeq >= commit.seq) return null; // older than what we hold: read the latest instead
    if (!(cached ? first === cached.task.version + 1 : first === 1)) return null;
    const task = fold(cached?.task ?? null, commit.events);
    if (task) this.remember(code, { task, lastSeq: commit.seq });
    return task;
  }

  async load(code: string): Promise<TaskFacts | null> {
    const cached = this.cache.get(code);
    const commits = await this.store.readSubject(this.subjects.aggregate('task', code), cached?.lastSeq ?? 0);
    if (commits.length === 0) return cached?.task ?? null;
    const task = fold(cached?.task ?? null, commits.flatMap((c) => c.events));
    if (task) this.remember(code, { task, lastSeq: commits[commits.length - 1]!.seq });
    return task;
  }

  private remember(code: string, entry: Cached): void {
    this.cache.delete(code);
    this.cache.set(code, entry);
    if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
  }
}

function fold(start: TaskFacts | null, events: EventEnvelope[]): TaskFacts | null {
  let task = start;
  for (const env of events) {
    const parsed = TaskEvent.safeParse(env);
    if (parsed.success) task = foldTask(task, parsed.data, env.version);
    else if (task !== null) task = { ...(task as TaskFacts), version: env.version };
  }
  return task;
}

export function foldTask(task: TaskFacts | null, event: TaskEvent, version: number): TaskFacts | null {
  switch (event.type) {
    case 'orchestration.task.created': {
      const d = event.data;
      return { code: d.code, sprintCode: d.sprintCode, title: d.title, type: d.type, estimateMinutes: d.estimateMinutes, requiredCapabilities: d.requiredCapabilities, status: d.status, assignee: null, previousAssignee: null, version };
    }
    case 'orchestration.task.updated': {
      if (!task) return task;
      const c = event.data.changes;
      const next: TaskFacts = { ...task, version };
      if (c.title !== undefined) next.title = c.title;
      if (c.type !== undefined) next.type = c.type;
      if (c.estimateMinutes !== undefined) next.estimateMinutes = c.estimateMinutes;
      if (c.requiredCapabilities !== undefined) next.requiredCapabilities = c.requiredCapabilities;
      if (c.sprintCode !== undefined) next.sprintCode = c.sprintCode;
      if (c.assignee !== undefined && c.assignee !== task.assignee) {
        next.previousAssignee = task.assignee ?? task.previousAssignee;
        next.assignee = c.assignee;
      }
      return next;
    }
    case 'orchestration.task.status_updated':
      return task && { ...task, status: event.data.to, version };
    default: {
      const never: never = event;
      return never;
    }
  }
}
