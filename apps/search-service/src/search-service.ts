import { ProjectionCheckpoints1700000000000 } from '@orch/projections';
import type { ServiceSpec } from '@orch/service-kit';
import { OrchestrationEvent, SearchTaskScope } from './read-model/entities';
import { eventsProjection } from './read-model/events.projection';
import { EventsReadModel1700000000200 } from './read-model/migrations/1700000000200-events-read-model';
import { SearchIndex1700000000210 } from './read-model/migrations/1700000000210-search-index';
import { SearchModule } from './search.module';

export const searchService: ServiceSpec = {
  service: 'search-service',
  module: (infra) => SearchModule.register(infra),
  database: {
    entities: [OrchestrationEvent, SearchTaskScope],
    migrations: [ProjectionCheckpoints1700000000000, EventsReadModel1700000000200, SearchIndex1700000000210],
  },
  redis: true,
  projections: [eventsProjection],
};
