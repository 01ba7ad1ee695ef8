import { Inject, Injectable } from '@nestjs/common';
import type { SprintEvent, Subjects } from '@orch/contracts';
import { AggregateRepository, type EventStore } from '@orch/event-store';
import { EVENT_STORE, SUBJECTS } from '@orch/service-kit';
import { SprintAggregate, type SprintState } from './sprint';

@Injectable()
export class SprintRepository extends AggregateRepository<SprintState, SprintEvent> {
  constructor(@Inject(EVENT_STORE) store: EventStore, @Inject(SUBJECTS) subjects: Subjects) {
    super(store, subjects, SprintAggregate);
  }
}
