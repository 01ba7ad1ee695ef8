import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { LogRoutes, type ListEventsQuery } from '@orch/contracts';
import { RpcHandler } from '@orch/service-kit';
import { ListEvents } from './list-events';

@Injectable()
export class EventsRpc {
  constructor(private readonly queries: QueryBus) {}

  @RpcHandler(LogRoutes.listEvents)
  async list(filter: ListEventsQuery) {
    return { value: await this.queries.execute(new ListEvents(filter)) };
  }
}
