import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { ListTasksQuery, TaskPage, TaskView } from '@orch/contracts';
import { NotFoundError } from '@orch/errors';
import { TaskReadModel } from '../read-model/task-read-model';

export class GetTask extends Query<TaskView> {
  constructor(readonly code: string) {
    super();
  }
}

export class ListTasks extends Query<TaskPage> {
  constructor(readonly filter: ListTasksQuery) {
    super();
  }
}

@QueryHandler(GetTask)
export class GetTaskHandler implements IQueryHandler<GetTask> {
  constructor(private readonly tasks: TaskReadModel) {}

  async execute({ code }: GetTask): Promise<TaskView> {
    const task = await this.tasks.get(code);
    if (!task) throw new NotFoundError('TASK.NOT_FOUND', `Task ${code} does not exist`);
    return task;
  }
}

@QueryHandler(ListTasks)
export class ListTasksHandler implements IQueryHandler<ListTasks> {
  constructor(private readonly tasks: TaskReadModel) {}

  execute({ filter }: ListTasks): Promise<TaskPage> {
    return this.tasks.list(filter);
  }
}
