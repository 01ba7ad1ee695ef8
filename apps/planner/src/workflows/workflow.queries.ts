import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { ListWorkflowsQuery, WorkflowPage, WorkflowView } from '@orch/contracts';
import { NotFoundError } from '@orch/errors';
import { WorkflowReadModel } from './workflow-read-model';
import { workflowStatus } from './workflow-status';

export class GetWorkflow extends Query<WorkflowView> {
  constructor(readonly id: string) {
    super();
  }
}

@QueryHandler(GetWorkflow)
export class GetWorkflowHandler implements IQueryHandler<GetWorkflow> {
  constructor(private readonly workflows: WorkflowReadModel) {}

  async execute({ id }: GetWorkflow): Promise<WorkflowView> {
    const w = await this.workflows.get(id);
    if (!w) throw new NotFoundError('WORKFLOW.NOT_FOUND', `Workflow ${id} does not exist`);
    return workflowStatus(w, await this.workflows.tasks(w.taskCodes), await this.workflows.attempts(id), new Date());
  }
}

export class ListWorkflows extends Query<WorkflowPage> {
  constructor(readonly query: ListWorkflowsQuery) {
    super();
  }
}

@QueryHandler(ListWorkflows)
export class ListWorkflowsHandler implements IQueryHandler<ListWorkflows> {
  constructor(private readonly workflows: WorkflowReadModel) {}

  execute({ query }: ListWorkflows): Promise<WorkflowPage> {
    return this.workflows.list(query);
  }
}
