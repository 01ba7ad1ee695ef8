import { Inject, Injectable } from '@nestjs/common';
import type { AgentEvent, Subjects } from '@orch/contracts';
import { AggregateRepository, type EventStore } from '@orch/event-store';
import { EVENT_STORE, SUBJECTS } from '@orch/service-kit';
import { AgentAggregate, type AgentState } from './agent';

@Injectable()
export class AgentRepository extends AggregateRepository<AgentState, AgentEvent> {
  constructor(@Inject(EVENT_STORE) store: EventStore, @Inject(SUBJECTS) subjects: Subjects) {
    super(store, subjects, AgentAggregate);
  }
}
