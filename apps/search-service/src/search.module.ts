import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ServiceKitModule, type Infrastructure } from '@orch/service-kit';
import { EventsRpc } from './events-log/events.rpc';
import { ListEventsHandler } from './events-log/list-events';

@Module({})
export class SearchModule {
  static register(infra: Infrastructure): DynamicModule {
    return {
      module: SearchModule,
      imports: [ServiceKitModule.forRoot(infra), CqrsModule.forRoot()],
      providers: [EventsRpc, ListEventsHandler],
    };
  }
}
