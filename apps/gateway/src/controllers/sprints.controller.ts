import {
  CreateSprintBody,
  ListSprintsQuery,
  PlannerRoutes,
  SprintPage,
  SprintView,
  UpdateSprintBody,
  type SprintCode,
} from '@orch/contracts';
import { ADMINS, READERS } from '../auth/roles';
import { ApiController, Endpoint } from '../http/endpoint';
import { CallerOf, Input, type Caller } from '../http/request-state';
import { SprintCodeParams } from '../http/schemas';
import { ServiceCaller } from '../rpc/service-caller';

/** `/api/v1/sprints`: parse, call the planner, map. The rules live in the planner. */
@ApiController('sprints')
export class SprintsController {
  constructor(private readonly services: ServiceCaller) {}

  @Endpoint({ method: 'POST', summary: 'Create a sprint', roles: ADMINS, body: CreateSprintBody, response: SprintView, status: 201, write: true, service: true })
  createSprint(@Input('body') body: CreateSprintBody, @CallerOf() caller: Caller) {
    return this.services.call(PlannerRoutes.createSprint, body, caller);
  }

  @Endpoint({ method: 'GET', summary: 'List sprints', roles: READERS, query: ListSprintsQuery, response: SprintPage, service: true })
  listSprints(@Input('query') query: ListSprintsQuery, @CallerOf() caller: Caller) {
    return this.services.call(PlannerRoutes.listSprints, query, caller);
  }

  @Endpoint({ method: 'GET', path: ':code', summary: 'Get a sprint', roles: READERS, params: SprintCodeParams, response: SprintView, etag: true, service: true })
  getSprint(@Input('params') params: { code: SprintCode }, @CallerOf() caller: Caller) {
    return this.services.call(PlannerRoutes.getSprint, params, caller);
  }

  @Endpoint({
    method: 'PATCH',
    path: ':code',
    summary: 'Change a sprint',
    description: 'Send If-Match with the ETag you read to apply the change only if nobody changed the sprint since.',
    roles: ADMINS,
    params: SprintCodeParams,
    body: UpdateSprintBody,
    response: SprintView,
    write: true,
    etag: true,
    service: true,
  })
  updateSprint(@Input('params') params: { code: SprintCode }, @Input('body') changes: UpdateSprintBody, @CallerOf() caller: Caller) {
    return this.services.call(PlannerRoutes.updateSprint, { code: params.code, changes }, caller);
  }
}
