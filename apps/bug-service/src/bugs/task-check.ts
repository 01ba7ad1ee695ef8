import { Inject, Injectable } from '@nestjs/common';
import { PlannerRoutes, type Subjects } from '@orch/contracts';
import { NotFoundError, UnavailableError, ValidationError } from '@orch/errors';
import { RpcClient } from '@orch/messaging';
import type { CommandMeta } from '@orch/event-store';
import { NATS, SUBJECTS } from '@orch/service-kit';
import type { NatsConnection } from '@nats-io/transport-node';

/** How long a log waits to learn whether its task exists; the answer is only ever a warning. */
const TASK_CHECK_TIMEOUT_MS = 300;

/**
 * Asks the planner whether a report's task exists. An unknown task code is a warning in the reply,
 * never a failure: a bug report must not be lost because its context is wrong.
 */
@Injectable()
export class TaskCheck {
  private readonly rpc: RpcClient;

  constructor(@Inject(NATS) nc: NatsConnection, @Inject(SUBJECTS) subjects: Subjects) {
    this.rpc = new RpcClient(nc, subjects, TASK_CHECK_TIMEOUT_MS);
  }

  async warningFor(taskCode: string | undefined, meta: CommandMeta): Promise<string | null> {
    if (!taskCode) return null;
    try {
      await this.rpc.call(PlannerRoutes.getTask, { code: taskCode }, { meta: { actor: meta.actor, commandId: meta.commandId, issuedAt: meta.issuedAt }, correlationId: meta.correlationId });
      return null;
    } catch (error) {
      if (error instanceof NotFoundError) return `unknown task code ${taskCode}: the bug is logged without a known task`;
      if (error instanceof ValidationError) return `${taskCode} is not a task code: the bug is logged without a known task`;
      if (error instanceof UnavailableError) return `could not check task code ${taskCode}: the planner did not answer`;
      throw error;
    }
  }
}
