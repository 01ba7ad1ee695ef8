import { SearchQuery, SearchResult, SearchRoutes } from '@orch/contracts';
import { READERS } from '../auth/roles';
import { ApiController, Endpoint } from '../http/endpoint';
import { CallerOf, Input, type Caller } from '../http/request-state';
import { ServiceCaller } from '../rpc/service-caller';

/** `/api/v1/search`: scoped full-text search over the whole history (answered by the search service). */
@ApiController('search')
export class SearchController {
  constructor(private readonly services: ServiceCaller) {}

  @Endpoint({
    method: 'GET',
    summary: 'Search the history of a session, task, sprint or the project',
    description:
      '`q` takes web-search syntax: words (stemmed: migrations finds migration), "quoted phrases", `-word` to exclude, `or`, file paths and event types; it is never a syntax error, and stop-words alone answer an empty list. ' +
      'Relevance is text rank × recency decay. `scope` SESSION, TASK or SPRINT needs `id`; PROJECT takes none. `summary=true` adds counts by event type and the time span. ' +
      'Answers are cached and never stale (the cache key holds the scope version); `noCache=true` computes afresh. Matches are marked «like this» in `snippet`.',
    roles: READERS,
    query: SearchQuery,
    response: SearchResult,
    service: true,
  })
  search(@Input('query') query: SearchQuery, @CallerOf() caller: Caller) {
    return this.services.call(SearchRoutes.search, query, caller);
  }
}
