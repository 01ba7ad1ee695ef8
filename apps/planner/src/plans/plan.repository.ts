import { Inject, Injectable } from '@nestjs/common';
import type { PlanEvent, Subjects } from '@orch/contracts';
import { AggregateRepository, type EventStore } from '@orch/event-store';
import { EVENT_STORE, SUBJECTS } from '@orch/service-kit';
import { PlanAggregate, type PlanState } from './plan';

@Injectable()
export class PlanRepository extends AggregateRepository<PlanState, PlanEvent> {
  constructor(@Inject(EVENT_STORE) store: EventStore, @Inject(SUBJECTS) subjects: Subjects) {
    super(store, subjects, PlanAggregate);
  }
}
