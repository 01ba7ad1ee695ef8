import { Injectable } from '@nestjs/common';
import { SprintRepository } from '../sprints/sprint.repository';
import type { TaskFacts } from './task';
import { TaskRepository } from './task.repository';

/** Most tasks a cycle search visits before giving up; plans are far smaller than this. */
const MAX_VISITS = 5_000;

/**
 * Looks up what a task command depends on in other aggregates: the sprint, the dependencies'
 * statuses, and whether new dependencies would close a cycle. The decider then rules purely.
 */
@Injectable()
export class TaskFactsReader {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly sprints: SprintRepository,
  ) {}

  async gather(code: string, opts: { sprintCode?: string | null; dependsOn: string[]; newDependencies?: string[] }): Promise<TaskFacts> {
    const sprintMissing = opts.sprintCode ? (await this.sprints.load(opts.sprintCode)).state === null : false;
    const deps = await Promise.all([...new Set(opts.dependsOn)].filter((d) => d !== code).map(async (d) => ({ code: d, state: (await this.tasks.load(d)).state })));
    const missingDependencies = deps.filter((d) => d.state === null).map((d) => d.code);
    const openDependencies = deps.flatMap((d) => (d.state && d.state.status !== 'DONE' ? [{ code: d.code, status: d.state.status }] : []));
    const cycle = opts.newDependencies?.length ? await this.findCycle(code, opts.newDependencies) : null;
    return { sprintMissing, missingDependencies, openDependencies, cycle };
  }

  /** Depth-first from each new dependency; a path that comes back to `code` is the cycle. */
  private async findCycle(code: string, start: string[]): Promise<string[] | null> {
    const visited = new Set<string>();
    const walk = async (current: string, path: string[]): Promise<string[] | null> => {
      if (current === code) return [code, ...path];
      if (visited.has(current) || visited.size > MAX_VISITS) return null;
      visited.add(current);
      const task = (await this.tasks.load(current)).state;
      for (const next of task?.dependsOn ?? []) {
        const found = await walk(next, [...path, next]);
        if (found) return found;
      }
      return null;
    };
    for (const dep of start) {
      const found = await walk(dep, [dep]);
      if (found) return found;
    }
    return null;
  }
}
