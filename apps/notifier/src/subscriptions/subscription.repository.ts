import { Inject, Injectable } from '@nestjs/common';
import type { Subjects, WebhookEvent } from '@orch/contracts';
import { AggregateRepository, type EventStore } from '@orch/event-store';
import { EVENT_STORE, SUBJECTS } from '@orch/service-kit';
import { SubscriptionAggregate, type SubscriptionState } from './subscription';

@Injectable()
export class SubscriptionRepository extends AggregateRepository<SubscriptionState, WebhookEvent> {
  constructor(@Inject(EVENT_STORE) store: EventStore, @Inject(SUBJECTS) subjects: Subjects) {
    super(store, subjects, SubscriptionAggregate);
  }
}
