import { Injectable } from '@nestjs/common';
import type { Assignment } from '@orch/contracts';
import { NotFoundError } from '@orch/errors';
import { AgentRepository } from '../agents/agent.repository';
import { AssignmentSignals } from './assignment-signals';
import { TaskLookup } from './task-lookup';

/**
 * `GET /agents/:id/assignments?wait=30`: the tasks assigned to an agent that it has not started.
 * Answers at once when there are some; otherwise waits for this agent's assignment signal (or the
 * timeout). Each held task is read from the log, not a read model, so a task the agent just
 * finished is never offered again, and a slot reserved for an assignment still in flight is not
 * offered before the planner accepted it.
 */
@Injectable()
export class Assignments {
  constructor(
    private readonly agents: AgentRepository,
    private readonly tasks: TaskLookup,
    private readonly signals: AssignmentSignals,
  ) {}

  async poll(id: string, waitMs: number): Promise<Assignment[]> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      // Listen before reading, so a signal between the read and the wait is not missed.
      const remaining = deadline - Date.now();
      const signal = remaining > 0 ? this.signals.wait(id, remaining) : null;
      const items = await this.pending(id);
      if (items.length > 0 || !signal) {
        this.signals.cancel(signal);
        return items;
      }
      // The signal carries the assignment the planner just accepted: answer without reading again.
      const assigned = await signal;
      if (assigned) return [assigned];
      if (Date.now() >= deadline) return this.pending(id);
    }
  }

  private async pending(id: string): Promise<Assignment[]> {
    const agent = (await this.agents.load(id)).state;
    if (!agent) throw new NotFoundError('AGENT.NOT_FOUND', `Agent ${id} does not exist`);
    const facts = await Promise.all(agent.tasks.map(async (held) => ({ held, task: await this.tasks.load(held.taskCode) })));
    return facts
      .filter(({ task }) => task?.status === 'ASSIGNED' && task.assignee === id)
      .map(({ held, task }) => ({
        taskCode: held.taskCode,
        sprintCode: task!.sprintCode,
        title: task!.title,
        type: task!.type,
        requiredCapabilities: task!.requiredCapabilities,
        assignedAt: held.assignedAt,
        resumed: held.resumed,
        status: task!.status,
      }));
  }
}
