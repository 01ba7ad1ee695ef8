import { createHash } from 'node:crypto';
import { CommandHandler, Command, type ICommandHandler } from '@nestjs/cqrs';
import type { CreateTaskBody, TaskView } from '@orch/contracts';
import type { CommandMeta } from '@orch/event-store';
import type { HandlerResult } from '@orch/messaging';
import { taskViewFromState } from '../read-model/views';
import { TaskFactsReader } from './task-facts';
import { TaskRepository } from './task.repository';
import { decide } from './task';

export class CreateTask extends Command<HandlerResult<TaskView>> {
  constructor(
    readonly body: CreateTaskBody,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}

/**
 * A task without a code gets one derived from the command id, so that a retried request with
 * the same Idempotency-Key lands on the same aggregate and is recognised as a retry.
 */
export function codeFor(body: CreateTaskBody, commandId: string): string {
  return body.code ?? `TSK-${createHash('sha256').update(commandId).digest('hex').slice(0, 10).toUpperCase()}`;
}

@CommandHandler(CreateTask)
export class CreateTaskHandler implements ICommandHandler<CreateTask> {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly facts: TaskFactsReader,
  ) {}

  async execute({ body, meta }: CreateTask): Promise<HandlerResult<TaskView>> {
    const code = codeFor(body, meta.commandId);
    const facts = await this.facts.gather(code, { sprintCode: body.sprintCode, dependsOn: body.dependsOn ?? [] });
    const result = await this.tasks.execute(code, meta, (state) => decide({ type: 'CreateTask', task: { ...body, code }, facts }, state), {
      expectNew: !body.code,
    });
    return { value: taskViewFromState(result.state!), seq: result.seq };
  }
}
