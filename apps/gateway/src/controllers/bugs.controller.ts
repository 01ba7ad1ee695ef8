import { BugHashParams, BugLogReply, BugPage, BugRoutes, BugView, ListBugsQuery, LogBugBody, UpdateBugBody } from '@orch/contracts';
import { READERS, WRITERS } from '../auth/roles';
import { ApiController, Endpoint } from '../http/endpoint';
import { CallerOf, Input, type Caller } from '../http/request-state';
import { ServiceCaller } from '../rpc/service-caller';

/** `/api/v1/bugs`: parse, call the bug service, map. Fingerprints and rules live in the bug service. */
@ApiController('bugs')
export class BugsController {
  constructor(private readonly services: ServiceCaller) {}

  @Endpoint({
    method: 'POST',
    summary: 'Log a bug',
    description:
      'Always 201: every report is a new occurrence. `outcome` says whether the bug is new, recurring (see `bug.occurrenceCount`) or a regression after a resolve; `suggestedActions` feed the CLI prompt.',
    roles: WRITERS,
    body: LogBugBody,
    response: BugLogReply,
    status: 201,
    write: true,
    service: true,
  })
  logBug(@Input('body') body: LogBugBody, @CallerOf() caller: Caller) {
    return this.services.call(BugRoutes.logBug, body, caller);
  }

  @Endpoint({ method: 'GET', summary: 'List bugs', description: 'Filter by a task that hit them and by status; most recently changed first.', roles: READERS, query: ListBugsQuery, response: BugPage, service: true })
  listBugs(@Input('query') query: ListBugsQuery, @CallerOf() caller: Caller) {
    return this.services.call(BugRoutes.listBugs, query, caller);
  }

  @Endpoint({ method: 'GET', path: ':hash', summary: 'Get a bug', roles: READERS, params: BugHashParams, response: BugView, service: true })
  getBug(@Input('params') params: BugHashParams, @CallerOf() caller: Caller) {
    return this.services.call(BugRoutes.getBug, params, caller);
  }

  @Endpoint({ method: 'PATCH', path: ':hash', summary: 'Resolve a bug', description: 'A later occurrence reopens it as a regression.', roles: WRITERS, params: BugHashParams, body: UpdateBugBody, response: BugView, write: true, service: true })
  updateBug(@Input('params') params: BugHashParams, @Input('body') changes: UpdateBugBody, @CallerOf() caller: Caller) {
    return this.services.call(BugRoutes.updateBug, { hash: params.hash, changes }, caller);
  }
}
