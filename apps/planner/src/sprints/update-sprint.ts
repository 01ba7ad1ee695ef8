import { CommandHandler, Command, type ICommandHandler } from '@nestjs/cqrs';
import type { SprintChanges, SprintView } from '@orch/contracts';
import type { CommandMeta } from '@orch/event-store';
import type { HandlerResult } from '@orch/messaging';
import { TaskReadModel } from '../read-model/task-read-model';
import { sprintViewFromState } from '../read-model/views';
import { decide } from './sprint';
import { SprintRepository } from './sprint.repository';

export class UpdateSprint extends Command<HandlerResult<SprintView>> {
  constructor(
    readonly code: string,
    readonly changes: SprintChanges,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}

@CommandHandler(UpdateSprint)
export class UpdateSprintHandler implements ICommandHandler<UpdateSprint> {
  constructor(
    private readonly sprints: SprintRepository,
    private readonly tasks: TaskReadModel,
  ) {}

  async execute({ code, changes, meta }: UpdateSprint): Promise<HandlerResult<SprintView>> {
    const result = await this.sprints.execute(code, meta, (state) => decide({ type: 'UpdateSprint', code, changes }, state));
    return { value: sprintViewFromState(result.state!, await this.tasks.countInSprint(code)), seq: result.seq };
  }
}
