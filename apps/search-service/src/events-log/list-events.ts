import { Inject, Injectable } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { typeGlobToRegex, type EventPage, type ListEventsQuery, type LoggedEvent } from '@orch/contracts';
import { DATA_SOURCE } from '@orch/service-kit';
import type { DataSource } from 'typeorm';
import { OrchestrationEvent } from '../read-model/entities';

export class ListEvents extends Query<EventPage> {
  constructor(readonly filter: ListEventsQuery) {
    super();
  }
}

/**
 * Pages the log by stream sequence. A page never splits a commit: when the limit falls inside
 * one, the page ends before it (unless the commit alone is bigger than the page).
 */
@QueryHandler(ListEvents)
@Injectable()
export class ListEventsHandler implements IQueryHandler<ListEvents> {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  async execute({ filter }: ListEvents): Promise<EventPage> {
    const q = this.ds
      .getRepository(OrchestrationEvent)
      .createQueryBuilder('e')
      .where('e.seq > :after', { after: filter.after })
      .orderBy('e.seq', 'ASC')
      .addOrderBy('e.event_index', 'ASC')
      .limit(filter.limit + 1);
    if (filter.type) q.andWhere('e.event_type ~ :type', { type: typeGlobToRegex(filter.type) });
    const rows = await q.getMany();
    let page = rows.slice(0, filter.limit);
    if (rows.length > filter.limit && rows[filter.limit]!.seq === page[page.length - 1]!.seq) {
      const split = page[page.length - 1]!.seq;
      const whole = page.filter((r) => r.seq !== split);
      page = whole.length > 0 ? whole : page;
    }
    const nextAfter = page.length > 0 ? page[page.length - 1]!.seq : filter.after;
    return { items: page.map(toLoggedEvent), nextAfter };
  }
}

function toLoggedEvent(r: OrchestrationEvent): LoggedEvent {
  return {
    seq: r.seq,
    id: r.eventId,
    type: r.eventType,
    aggregateType: r.entityType,
    aggregateId: r.entityId,
    version: r.version,
    occurredAt: r.occurredAt.toISOString(),
    actor: r.actor,
    correlationId: r.correlationId,
    data: r.payload as Record<string, unknown>,
  };
}
