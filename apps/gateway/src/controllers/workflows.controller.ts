import type { z } from 'zod';
import { ListWorkflowsQuery, PlanRoutes, StartWorkflowBody, WorkflowControlBody, WorkflowIdParams, WorkflowPage, WorkflowView } from '@orch/contracts';
import { ADMINS, READERS } from '../auth/roles';
import { ApiController, Endpoint } from '../http/endpoint';
import { CallerOf, Input, type Caller } from '../http/request-state';
import { ServiceCaller } from '../rpc/service-caller';

const OptionalControlBody = WorkflowControlBody.optional();
type ControlBody = z.infer<typeof OptionalControlBody>;

/**
 * `/api/v1/workflows`: running a plan or a sprint. The process manager in the planner moves the
 * tasks. Starting and steering a workflow is an operator's job (admin keys); anyone may watch it.
 */
@ApiController('workflows')
export class WorkflowsController {
  constructor(private readonly services: ServiceCaller) {}

  @Endpoint({
    method: 'POST',
    summary: 'Start a workflow over an accepted plan or a sprint',
    description: 'Tasks with no open dependency become READY; a task DONE makes its dependents READY; a FAILED task is retried by the policy (`retry`, defaults from config/planner.yaml) and then BLOCKED.',
    roles: ADMINS,
    body: StartWorkflowBody,
    response: WorkflowView,
    status: 201,
    write: true,
    service: true,
    errors: [409],
  })
  startWorkflow(@Input('body') body: StartWorkflowBody, @CallerOf() caller: Caller) {
    return this.services.call(PlanRoutes.startWorkflow, body, caller);
  }

  @Endpoint({
    method: 'GET',
    summary: 'List workflows, newest first',
    description: 'Filter by sprint, plan and status; page with `after` (the `nextCursor` of the previous page). Each with its task count and how many are DONE or BLOCKED; `GET /workflows/:id` has the rest.',
    roles: READERS,
    query: ListWorkflowsQuery,
    response: WorkflowPage,
    service: true,
  })
  listWorkflows(@Input('query') query: ListWorkflowsQuery, @CallerOf() caller: Caller) {
    return this.services.call(PlanRoutes.listWorkflows, query, caller);
  }

  @Endpoint({
    method: 'GET',
    path: ':id',
    summary: 'Get a workflow and its status',
    description: 'Counts per task state, progress by estimated effort, the remaining critical path and its ETA, attempts of tasks that failed.',
    roles: READERS,
    params: WorkflowIdParams,
    response: WorkflowView,
    service: true,
  })
  getWorkflow(@Input('params') params: WorkflowIdParams, @CallerOf() caller: Caller) {
    return this.services.call(PlanRoutes.getWorkflow, params, caller);
  }

  @Endpoint({ method: 'POST', path: ':id/pause', summary: 'Pause a workflow', description: 'No READY task of it can be ASSIGNED or started, by PATCH or a session start (409 WORKFLOW.PAUSED), until it resumes.', roles: ADMINS, params: WorkflowIdParams, body: OptionalControlBody, response: WorkflowView, write: true, service: true })
  pauseWorkflow(@Input('params') params: WorkflowIdParams, @Input('body') body: ControlBody, @CallerOf() caller: Caller) {
    return this.services.call(PlanRoutes.pauseWorkflow, { id: params.id, body: body ?? {} }, caller);
  }

  @Endpoint({ method: 'POST', path: ':id/resume', summary: 'Resume a paused workflow', roles: ADMINS, params: WorkflowIdParams, body: OptionalControlBody, response: WorkflowView, write: true, service: true })
  resumeWorkflow(@Input('params') params: WorkflowIdParams, @Input('body') body: ControlBody, @CallerOf() caller: Caller) {
    return this.services.call(PlanRoutes.resumeWorkflow, { id: params.id, body: body ?? {} }, caller);
  }

  @Endpoint({ method: 'POST', path: ':id/cancel', summary: 'Cancel a workflow', description: 'Its tasks stay as they are; nothing moves them any more.', roles: ADMINS, params: WorkflowIdParams, body: OptionalControlBody, response: WorkflowView, write: true, service: true })
  cancelWorkflow(@Input('params') params: WorkflowIdParams, @Input('body') body: ControlBody, @CallerOf() caller: Caller) {
    return this.services.call(PlanRoutes.cancelWorkflow, { id: params.id, body: body ?? {} }, caller);
  }
}
