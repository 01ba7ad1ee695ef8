import {
  BudgetParams, BudgetRoutes, BudgetUsageBody, BudgetUsageReply, BudgetView, HostView, QuotasReply, RegisterHostBody, ResourceRoutes, ResourcesView, SetBudgetBody, SetQuotasBody,
} from '@orch/contracts';
import { ADMINS, READERS, WRITERS } from '../auth/roles';
import { ApiController, Endpoint } from '../http/endpoint';
import { CallerOf, Input, type Caller } from '../http/request-state';
import { ServiceCaller } from '../rpc/service-caller';

/** `/api/v1/budgets/:scope/:id`: limits set by people who run the system, usage reported by agents. */
@ApiController('budgets')
export class BudgetsController {
  constructor(private readonly services: ServiceCaller) {}

  @Endpoint({
    method: 'PUT',
    path: ':scope/:id',
    summary: 'Set a budget',
    description: 'Limits of a session (`scope` session, id a session key) or a workflow (`scope` workflow, id WFL-…): `tokens`, `costUsd`, `wallSeconds`. Replaces the limits; a dimension left out or null is not limited. Crossing 80 % and 100 % of a dimension is an event (`orchestration.budget.threshold_crossed`), once each.',
    roles: ADMINS,
    params: BudgetParams,
    body: SetBudgetBody,
    response: BudgetView,
    write: true,
    service: true,
    errors: [404],
  })
  setBudget(@Input('params') params: BudgetParams, @Input('body') body: SetBudgetBody, @CallerOf() caller: Caller) {
    return this.services.call(BudgetRoutes.setBudget, { params, body }, caller);
  }

  @Endpoint({
    method: 'POST',
    path: ':scope/:id/usage',
    summary: 'Report budget usage',
    description: 'Adds what was used since the last report. Send an `Idempotency-Key` so a retried report counts once. The answer lists the thresholds this report crossed.',
    roles: WRITERS,
    params: BudgetParams,
    body: BudgetUsageBody,
    response: BudgetUsageReply,
    write: true,
    service: true,
    errors: [404],
  })
  reportBudgetUsage(@Input('params') params: BudgetParams, @Input('body') body: BudgetUsageBody, @CallerOf() caller: Caller) {
    return this.services.call(BudgetRoutes.reportUsage, { params, body }, caller);
  }

  @Endpoint({ method: 'GET', path: ':scope/:id', summary: 'Get a budget', description: 'Limits, usage and percentage per dimension.', roles: READERS, params: BudgetParams, response: BudgetView, service: true, errors: [404] })
  getBudget(@Input('params') params: BudgetParams, @CallerOf() caller: Caller) {
    return this.services.call(BudgetRoutes.getBudget, params, caller);
  }
}

/** `/api/v1/resources`: the pool spawned agents are placed on, and the quotas per sprint. */
@ApiController('resources')
export class ResourcesController {
  constructor(private readonly services: ServiceCaller) {}

  @Endpoint({ method: 'GET', summary: 'Resource usage', description: 'Every host with its capacity, used and free cpu, memory and gpu; the totals; usage and quota per sprint; the live allocations.', roles: READERS, response: ResourcesView, service: true })
  getResources(@CallerOf() caller: Caller) {
    return this.services.call(ResourceRoutes.getResources, {}, caller);
  }

  @Endpoint({ method: 'POST', path: 'hosts', summary: 'Add a host to the pool', description: 'Hosts in config/resources.yaml are there from start-up; this adds one at run time (kept in the log).', roles: ADMINS, body: RegisterHostBody, response: HostView, status: 201, write: true, service: true, errors: [409] })
  registerHost(@Input('body') body: RegisterHostBody, @CallerOf() caller: Caller) {
    return this.services.call(ResourceRoutes.registerHost, body, caller);
  }

  @Endpoint({
    method: 'PUT',
    path: 'quotas',
    summary: 'Set resource quotas',
    description: 'Caps on what one sprint’s spawned agents hold at once (`perSprint` for every sprint, `sprints` per sprint). Replaces every quota. Agents already running keep their slots; `warnings` names sprints that are over their new quota.',
    roles: ADMINS,
    body: SetQuotasBody,
    response: QuotasReply,
    write: true,
    service: true,
    errors: [404],
  })
  setResourceQuotas(@Input('body') body: SetQuotasBody, @CallerOf() caller: Caller) {
    return this.services.call(ResourceRoutes.setQuotas, body, caller);
  }
}
