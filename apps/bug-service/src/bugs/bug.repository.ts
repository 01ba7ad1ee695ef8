import { Inject, Injectable } from '@nestjs/common';
import type { BugEvent, Subjects } from '@orch/contracts';
import { AggregateRepository, type EventStore } from '@orch/event-store';
import { EVENT_STORE, SUBJECTS } from '@orch/service-kit';
import { BugAggregate, type BugState } from './bug';

@Injectable()
export class BugRepository extends AggregateRepository<BugState, BugEvent> {
  constructor(@Inject(EVENT_STORE) store: EventStore, @Inject(SUBJECTS) subjects: Subjects) {
    super(store, subjects, BugAggregate);
  }
}
