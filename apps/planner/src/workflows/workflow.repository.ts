import { Inject, Injectable } from '@nestjs/common';
import type { Subjects, WorkflowEvent } from '@orch/contracts';
import { AggregateRepository, type EventStore } from '@orch/event-store';
import { EVENT_STORE, SUBJECTS } from '@orch/service-kit';
import { WorkflowAggregate, type WorkflowState } from './workflow';

@Injectable()
export class WorkflowRepository extends AggregateRepository<WorkflowState, WorkflowEvent> {
  constructor(@Inject(EVENT_STORE) store: EventStore, @Inject(SUBJECTS) subjects: Subjects) {
    super(store, subjects, WorkflowAggregate);
  }
}
