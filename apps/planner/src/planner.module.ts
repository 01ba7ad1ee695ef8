import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ServiceKitModule, type Infrastructure } from '@orch/service-kit';
import { SprintReadModel } from './read-model/sprint-read-model';
import { TaskReadModel } from './read-model/task-read-model';
import { CreateSprintHandler } from './sprints/create-sprint';
import { GetSprintHandler, ListSprintsHandler } from './sprints/sprint.queries';
import { SprintRepository } from './sprints/sprint.repository';
import { SprintRpc } from './sprints/sprint.rpc';
import { UpdateSprintHandler } from './sprints/update-sprint';
import { CreateTaskHandler } from './tasks/create-task';
import { TaskFactsReader } from './tasks/task-facts';
import { GetTaskHandler, ListTasksHandler } from './tasks/task.queries';
import { TaskRepository } from './tasks/task.repository';
import { TaskRpc } from './tasks/task.rpc';
import { UpdateTaskHandler } from './tasks/update-task';
import { planProviders } from './plans/plans.providers';
import { workflowProviders } from './workflows/workflows.providers';

@Module({})
export class PlannerModule {
  static register(infra: Infrastructure): DynamicModule {
    return {
      module: PlannerModule,
      imports: [ServiceKitModule.forRoot(infra), CqrsModule.forRoot()],
      providers: [
        SprintRepository,
        SprintReadModel,
        SprintRpc,
        CreateSprintHandler,
        UpdateSprintHandler,
        GetSprintHandler,
        ListSprintsHandler,
        TaskRepository,
        TaskReadModel,
        TaskFactsReader,
        TaskRpc,
        CreateTaskHandler,
        UpdateTaskHandler,
        GetTaskHandler,
        ListTasksHandler,
        ...planProviders(),
        ...workflowProviders(),
      ],
    };
  }
}
