import { EventPage, ListEventsQuery, LogRoutes } from '@orch/contracts';
import { READERS } from '../auth/roles';
import { ApiController, Endpoint } from '../http/endpoint';
import { CallerOf, Input, type Caller } from '../http/request-state';
import { ServiceCaller } from '../rpc/service-caller';

/** `/api/v1/events`: the event log, paged by stream sequence (answered by the search service). */
@ApiController('events')
export class EventsController {
  constructor(private readonly services: ServiceCaller) {}

  @Endpoint({
    method: 'GET',
    summary: 'Page through the event log',
    description: 'Events after the stream sequence `after`, oldest first; pass `nextAfter` to get the next page. `type` takes a glob such as orchestration.task.*',
    roles: READERS,
    query: ListEventsQuery,
    response: EventPage,
    service: true,
  })
  listEvents(@Input('query') query: ListEventsQuery, @CallerOf() caller: Caller) {
    return this.services.call(LogRoutes.listEvents, query, caller);
  }
}
