import { Inject, Injectable } from '@nestjs/common';
import type { Subjects, TaskEvent } from '@orch/contracts';
import { AggregateRepository, type EventStore } from '@orch/event-store';
import { EVENT_STORE, SUBJECTS } from '@orch/service-kit';
import { TaskAggregate, type TaskState } from './task';

@Injectable()
export class TaskRepository extends AggregateRepository<TaskState, TaskEvent> {
  constructor(@Inject(EVENT_STORE) store: EventStore, @Inject(SUBJECTS) subjects: Subjects) {
    super(store, subjects, TaskAggregate);
  }
}
