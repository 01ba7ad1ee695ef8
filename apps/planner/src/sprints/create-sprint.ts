import { CommandHandler, Command, type ICommandHandler } from '@nestjs/cqrs';
import type { CreateSprintBody, SprintView } from '@orch/contracts';
import type { CommandMeta } from '@orch/event-store';
import type { HandlerResult } from '@orch/messaging';
import { sprintViewFromState } from '../read-model/views';
import { decide } from './sprint';
import { SprintRepository } from './sprint.repository';

export class CreateSprint extends Command<HandlerResult<SprintView>> {
  constructor(
    readonly body: CreateSprintBody,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}

@CommandHandler(CreateSprint)
export class CreateSprintHandler implements ICommandHandler<CreateSprint> {
  constructor(private readonly sprints: SprintRepository) {}

  async execute({ body, meta }: CreateSprint): Promise<HandlerResult<SprintView>> {
    const result = await this.sprints.execute(body.code, meta, (state) => decide({ type: 'CreateSprint', sprint: body }, state));
    return { value: sprintViewFromState(result.state!, 0), seq: result.seq };
  }
}
