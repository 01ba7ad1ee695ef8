import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import type { EventEnvelope, RetryPolicy } from '@orch/contracts';
import { OrchError } from '@orch/errors';
import type { CommandMeta } from '@orch/event-store';
import { LOGGER } from '@orch/service-kit';
import { decide as decideTask } from '../tasks/task';
import { TaskRepository } from '../tasks/task.repository';
import { UpdateTask } from '../tasks/update-task';
import { ControlWorkflow } from './control-workflow';

/** Tries of one command when a dependency is unavailable (about 15 s with the backoff) before giving up. */
const SEND_ATTEMPTS = 10;
const ACTOR = { kind: 'system' as const, id: 'planner-workflows' };

/** A command id derived from the event that caused it: replays and redeliveries are recognised as retries. */
export function causedId(cause: string, ...what: string[]): string {
  const h = createHash('sha256').update([cause, ...what].join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** A running or paused workflow as the process manager has read it from the log (its own table). */
export async function liveRun(tx: EntityManager, id: string): Promise<{ retry: RetryPolicy } | null> {
  const [run]: Array<{ status: string; retry: RetryPolicy }> = await tx.query('SELECT status, retry FROM orchestration_workflow_runs WHERE workflow_id = $1', [id]);
  return run && (run.status === 'RUNNING' || run.status === 'PAUSED') ? run : null;
}

/**
 * The commands the workflow machinery sends, each with an id derived from its cause. A rule that
 * refuses (the task moved on meanwhile) is logged, not retried; an unavailable dependency is
 * retried for a while and then thrown, so the consumer retries its batch: an event is never
 * skipped because NATS blinked.
 */
@Injectable()
export class WorkflowCommands {
  constructor(
    private readonly commands: CommandBus,
    private readonly tasks: TaskRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  ready(code: string, reason: string, meta: CommandMeta): Promise<void> {
    return this.attempt(() => this.commands.execute(new UpdateTask(code, { status: 'READY', reason }, meta)));
  }

  /**
   * READY without looking the dependencies up again, for a caller that has proven them DONE
   * (DONE is final). The task aggregate still decides whether the move is legal.
   */
  readyKnowingDependenciesDone(code: string, reason: string, meta: CommandMeta): Promise<void> {
    const facts = { sprintMissing: false, missingDependencies: [], openDependencies: [], cycle: null };
    return this.attempt(() => this.tasks.execute(code, meta, (state) => decideTask({ type: 'UpdateTask', code, changes: {}, status: 'READY', reason, facts }, state)));
  }

  block(code: string, reason: string, meta: CommandMeta): Promise<void> {
    return this.attempt(() => this.commands.execute(new UpdateTask(code, { status: 'BLOCKED', reason }, meta)));
  }

  complete(workflowId: string, meta: CommandMeta): Promise<void> {
    return this.attempt(() => this.commands.execute(new ControlWorkflow(workflowId, 'CompleteWorkflow', null, meta)));
  }

  /** Meta of a command caused by an event (or, for a due retry, by the failure it retries). */
  metaFor(cause: Pick<EventEnvelope, 'id' | 'correlationId'>, ...what: string[]): CommandMeta {
    return { actor: ACTOR, commandId: causedId(cause.id, ...what), issuedAt: new Date().toISOString(), correlationId: cause.correlationId, causationId: cause.id };
  }

  private async attempt(write: () => Promise<unknown>): Promise<void> {
    for (let attempt = 1, delay = 100; ; attempt++, delay = Math.min(delay * 2, 2_000)) {
      try {
        await write();
        return;
      } catch (error) {
        if (error instanceof OrchError && error.status < 500) return void this.logger.debug({ err: error }, 'workflow step refused; the task moved on');
        if (attempt >= SEND_ATTEMPTS) throw error;
        this.logger.warn({ err: error, attempt }, 'workflow step failed; retrying');
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }
}
