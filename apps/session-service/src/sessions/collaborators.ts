import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { AgentRoutes, PlannerRoutes, type Actor, type Subjects, type TaskView } from '@orch/contracts';
import { NotFoundError, OrchError, UnavailableError } from '@orch/errors';
import type { CommandMeta, EventStore } from '@orch/event-store';
import { RpcClient } from '@orch/messaging';
import { EVENT_STORE, NATS, SUBJECTS } from '@orch/service-kit';

/** Other services are advisory for most answers: a slow one costs a warning, never the command. */
const ADVISORY_TIMEOUT_MS = 1_000;


/** The planner, the agent manager and the bug service, as sessions need them. */
@Injectable()
export class Collaborators {
  private readonly rpc: RpcClient;

  constructor(
    @Inject(NATS) nc: NatsConnection,
    @Inject(SUBJECTS) subjects: Subjects,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {
    this.rpc = new RpcClient(nc, subjects, ADVISORY_TIMEOUT_MS);
  }

  private opts(meta: CommandMeta, suffix = '') {
    return { meta: { actor: meta.actor, commandId: `${meta.commandId}${suffix}`, issuedAt: meta.issuedAt }, correlationId: meta.correlationId };
  }

  /** The task, or a 404 naming it; 503 when the planner does not answer (a session needs its task). */
  async task(code: string, meta: CommandMeta): Promise<TaskView> {
    const ask = (minSeq?: number) => this.rpc.call(PlannerRoutes.getTask, { code }, { ...this.opts(meta), meta: { ...this.opts(meta).meta, minSeq }, timeoutMs: 4_000 });
    try {
      return (await ask()).value;
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
    // The planner answers from its read model: a task created a moment ago may not be there yet.
    // Ask again, waiting until that model has applied everything in the log so far.
    try {
      return (await ask(await this.store.lastSeq())).value;
    } catch (error) {
      if (error instanceof NotFoundError) throw new NotFoundError('TASK.NOT_FOUND', `Task ${code} does not exist; create it first (orch task create)`);
      throw error;
    }
  }

  /** Throws a 404 naming the sprint when the planner does not know it (read-your-writes as for tasks). */
  async assertSprint(code: string, meta: CommandMeta): Promise<void> {
    const ask = (minSeq?: number) => this.rpc.call(PlannerRoutes.getSprint, { code }, { ...this.opts(meta), meta: { ...this.opts(meta).meta, minSeq }, timeoutMs: 4_000 });
    try {
      await ask();
      return;
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
    try {
      await ask(await this.store.lastSeq());
    } catch (error) {
      if (error instanceof NotFoundError) throw new NotFoundError('SPRINT.NOT_FOUND', `Sprint ${code} does not exist; create it first (orch sprint create)`);
      throw error;
    }
  }

  async taskOrNull(code: string, meta: CommandMeta): Promise<TaskView | null> {
    try {
      return (await this.rpc.call(PlannerRoutes.getTask, { code }, this.opts(meta))).value;
    } catch {
      return null;
    }
  }

  /**
   * Moves the task towards `status` through the planner's own rules (BACKLOG goes to READY first);
   * the answer is a warning when the planner refuses, never a failed session command, except for
   * refusals `fatal` names, which are thrown as the planner gave them.
   */
  /** `seqs` collects the log sequences of the moves, so an answer's X-Orch-Seq covers the task's new status too. */
  async moveTask(task: TaskView, status: 'IN_PROGRESS' | 'DONE', meta: CommandMeta, fatal: (error: OrchError) => boolean = () => false, seqs: number[] = []): Promise<string | null> {
    if (task.status === status) return null;
    const steps = status === 'IN_PROGRESS' && task.status === 'BACKLOG' ? ['READY', 'IN_PROGRESS'] : status === 'DONE' && task.status !== 'IN_PROGRESS' ? ['IN_PROGRESS', 'DONE'] : [status];
    try {
      for (const [i, step] of steps.entries()) {
        const moved = await this.rpc.call(PlannerRoutes.updateTask, { code: task.code, changes: { status: step as 'READY' } }, { ...this.opts(meta, `:task:${step}:${i}`), timeoutMs: 3_000 });
        if (moved.seq !== undefined) seqs.push(moved.seq);
      }
      return null;
    } catch (error) {
      if (error instanceof OrchError && fatal(error)) throw error;
      return `task ${task.code} stays ${task.status}: the planner ${error instanceof OrchError ? `answered ${error.code}: ${error.message}` : 'failed'}`;
    }
  }

  /** May this caller override a gate? Admins may; agents only with `full` permission (agent manager's answer). */
  async mayOverride(actor: Actor, agentId: string | null, meta: CommandMeta): Promise<{ allowed: boolean; warning: string | null }> {
    if (actor.role === 'admin') return { allowed: true, warning: null };
    if (actor.role === 'viewer') return { allowed: false, warning: null };
    const id = agentId ?? actor.id;
    try {
      const agent = (await this.rpc.call(AgentRoutes.getAgent, { id }, this.opts(meta))).value;
      return { allowed: agent.permission === 'full', warning: null };
    } catch (error) {
      if (error instanceof UnavailableError) return { allowed: false, warning: 'the agent manager did not answer: overrides need an admin key or a full-permission agent' };
      return { allowed: false, warning: null };
    }
  }
}
