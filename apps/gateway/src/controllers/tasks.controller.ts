import {
  CreateTaskBody,
  ListTasksQuery,
  NextTaskQuery,
  NextTaskReply,
  PlannerRoutes,
  PlanRoutes,
  TaskPage,
  TaskView,
  UpdateTaskBody,
  type TaskCode,
} from '@orch/contracts';
import { ADMINS, READERS } from '../auth/roles';
import { ApiController, Endpoint } from '../http/endpoint';
import { CallerOf, Input, type Caller } from '../http/request-state';
import { TaskCodeParams } from '../http/schemas';
import { ServiceCaller } from '../rpc/service-caller';

/** `/api/v1/tasks`: parse, call the planner, map. The rules live in the planner. */
@ApiController('tasks')
export class TasksController {
  constructor(private readonly services: ServiceCaller) {}

  @Endpoint({ method: 'POST', summary: 'Create a task', roles: ADMINS, body: CreateTaskBody, response: TaskView, status: 201, write: true, service: true })
  createTask(@Input('body') body: CreateTaskBody, @CallerOf() caller: Caller) {
    return this.services.call(PlannerRoutes.createTask, body, caller);
  }

  @Endpoint({
    method: 'GET',
    summary: 'List tasks',
    description: 'Filter by sprint, status and assignee; page with `after` (the `nextCursor` of the previous page).',
    roles: READERS,
    query: ListTasksQuery,
    response: TaskPage,
    service: true,
  })
  listTasks(@Input('query') query: ListTasksQuery, @CallerOf() caller: Caller) {
    return this.services.call(PlannerRoutes.listTasks, query, caller);
  }

  @Endpoint({
    method: 'GET',
    path: 'next',
    summary: 'The next task for an agent',
    description:
      'The highest-priority READY task whose required capabilities the agent has (capabilities from the agent manager) and that no paused workflow holds; ties go to the least critical-path slack, then the oldest. `task` is null, with the reason, when there is none.',
    roles: READERS,
    query: NextTaskQuery,
    response: NextTaskReply,
    service: true,
  })
  nextTask(@Input('query') query: NextTaskQuery, @CallerOf() caller: Caller) {
    return this.services.call(PlanRoutes.nextTask, query, caller);
  }

  @Endpoint({ method: 'GET', path: ':code', summary: 'Get a task', roles: READERS, params: TaskCodeParams, response: TaskView, etag: true, service: true })
  getTask(@Input('params') params: { code: TaskCode }, @CallerOf() caller: Caller) {
    return this.services.call(PlannerRoutes.getTask, params, caller);
  }

  @Endpoint({
    method: 'PATCH',
    path: ':code',
    summary: 'Change a task or its status',
    description: 'Send If-Match with the ETag you read to apply the change only if nobody changed the task since.',
    roles: ADMINS,
    params: TaskCodeParams,
    body: UpdateTaskBody,
    response: TaskView,
    write: true,
    etag: true,
    service: true,
  })
  updateTask(@Input('params') params: { code: TaskCode }, @Input('body') changes: UpdateTaskBody, @CallerOf() caller: Caller) {
    return this.services.call(PlannerRoutes.updateTask, { code: params.code, changes }, caller);
  }
}
