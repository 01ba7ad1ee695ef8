import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ServiceKitModule, type Infrastructure } from '@orch/service-kit';
import { EventsRpc } from './events-log/events.rpc';
import { ListEventsHandler } from './events-log/list-events';
import { SEARCH_ENV, SearchRpc } from './search/search.rpc';

@Module({})
export class SearchModule {
  static register(infra: Infrastructure, env: NodeJS.ProcessEnv = process.env): DynamicModule {
    return {
      module: SearchModule,
      imports: [ServiceKitModule.forRoot(infra), CqrsModule.forRoot()],
      providers: [EventsRpc, ListEventsHandler, SearchRpc, { provide: SEARCH_ENV, useValue: env }],
    };
  }
}
