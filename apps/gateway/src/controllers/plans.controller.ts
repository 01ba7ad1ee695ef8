import { z } from 'zod';
import { AcceptPlanBody, CreatePlanBody, ListPlansQuery, PlanAnalysis, PlanIdParams, PlanPage, PlanRoutes, PlanView, TemplateList, ValidateDagBody } from '@orch/contracts';
import { PayloadTooLargeError } from '@orch/errors';
import { ADMINS, READERS, WRITERS } from '../auth/roles';
import { ApiController, Endpoint } from '../http/endpoint';
import { CallerOf, Input, type Caller } from '../http/request-state';
import { ServiceCaller } from '../rpc/service-caller';

/**
 * A DAG travels to the planner in one NATS message, and NATS refuses messages over its
 * max_payload (1 MiB by default). Past this size the answer is a clear 413, not a 503.
 */
const MAX_DAG_BYTES = 950_000;

/** `POST /plans/:id/accept` may come without a body: the plan's own sprint is used. */
const OptionalAcceptBody = AcceptPlanBody.optional();

/** `/api/v1/plans`: parse, call the planner, map. Decomposition, validation and optimisation live in the planner. */
@ApiController('plans')
export class PlansController {
  constructor(private readonly services: ServiceCaller) {}

  @Endpoint({
    method: 'POST',
    summary: 'Plan a goal',
    description:
      'Decomposes the goal with a template (`feature`, `bug_fix`, `refactor`, `research`) into a task DAG, validates it (cycles, unknown ids; capabilities no registered agent has are warnings) and optimises it: parallel layers, the critical path, total effort, wall-clock with N agents, cost. Each task says whether its estimate is the template\'s or learned from tracked times.',
    roles: WRITERS,
    body: CreatePlanBody,
    response: PlanView,
    status: 201,
    write: true,
    service: true,
  })
  createPlan(@Input('body') body: CreatePlanBody, @CallerOf() caller: Caller) {
    return this.services.call(PlanRoutes.createPlan, body, caller);
  }

  @Endpoint({
    method: 'POST',
    path: 'validate',
    summary: 'Validate and optimise a task DAG',
    description: 'The checks and figures of `POST /plans` on tasks you send (at most 10,000); nothing is written. An invalid DAG answers 200 with `valid: false` and its errors (a cycle is named in order).',
    roles: READERS,
    body: ValidateDagBody,
    response: PlanAnalysis,
    service: true,
    errors: [413],
  })
  validatePlan(@Input('body') body: ValidateDagBody, @CallerOf() caller: Caller) {
    const bytes = Buffer.byteLength(JSON.stringify(body));
    if (bytes > MAX_DAG_BYTES) {
      throw new PayloadTooLargeError('PLAN.DAG_TOO_LARGE', `The DAG is ${bytes} bytes as JSON; the planner takes at most ${MAX_DAG_BYTES} (shorten titles or split it)`, { bytes, limit: MAX_DAG_BYTES });
    }
    return this.services.call(PlanRoutes.validateDag, body, caller);
  }

  @Endpoint({
    method: 'GET',
    path: 'templates',
    summary: 'The plan templates',
    description: 'What `POST /plans` takes as `template`: each with its parameters (required ones first to fill), its methods, and how many tasks it decomposes into.',
    roles: READERS,
    response: TemplateList,
    service: true,
  })
  listPlanTemplates(@CallerOf() caller: Caller) {
    return this.services.call(PlanRoutes.listTemplates, {}, caller);
  }

  @Endpoint({
    method: 'GET',
    summary: 'List plans, newest first',
    description: 'Filter by sprint and status; page with `after` (the `nextCursor` of the previous page). Each plan with its analysis figures; `GET /plans/:id` has its tasks.',
    roles: READERS,
    query: ListPlansQuery,
    response: PlanPage,
    service: true,
  })
  listPlans(@Input('query') query: ListPlansQuery, @CallerOf() caller: Caller) {
    return this.services.call(PlanRoutes.listPlans, query, caller);
  }

  @Endpoint({ method: 'GET', path: ':id', summary: 'Get a plan', roles: READERS, params: PlanIdParams, response: PlanView, service: true })
  getPlan(@Input('params') params: PlanIdParams, @CallerOf() caller: Caller) {
    return this.services.call(PlanRoutes.getPlan, params, caller);
  }

  @Endpoint({
    method: 'POST',
    path: ':id/accept',
    summary: 'Accept a plan: create its tasks in a sprint',
    description: 'Creates the sprint if it does not exist, then every task with its dependencies. Idempotent: accepting again answers the same plan and writes nothing; accepting into another sprint is a 409.',
    roles: ADMINS,
    params: PlanIdParams,
    body: OptionalAcceptBody,
    response: PlanView,
    write: true,
    service: true,
    errors: [409],
  })
  acceptPlan(@Input('params') params: PlanIdParams, @Input('body') body: z.infer<typeof OptionalAcceptBody>, @CallerOf() caller: Caller) {
    return this.services.call(PlanRoutes.acceptPlan, { id: params.id, body: body ?? {} }, caller);
  }
}
