import { Inject, Injectable } from '@nestjs/common';
import type { SessionEvent, Subjects } from '@orch/contracts';
import { AggregateRepository, type EventStore } from '@orch/event-store';
import { EVENT_STORE, SUBJECTS } from '@orch/service-kit';
import { SessionAggregate, type SessionState } from './session';

@Injectable()
export class SessionRepository extends AggregateRepository<SessionState, SessionEvent> {
  constructor(@Inject(EVENT_STORE) store: EventStore, @Inject(SUBJECTS) subjects: Subjects) {
    super(store, subjects, SessionAggregate);
  }
}
