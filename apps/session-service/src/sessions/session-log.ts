import { Inject, Injectable } from '@nestjs/common';
import type { EventEnvelope } from '@orch/contracts';
import type { EventStore } from '@orch/event-store';
import { EVENT_STORE } from '@orch/service-kit';
import { SessionRepository } from './session.repository';

export interface LoggedEvent {
  seq: number;
  envelope: EventEnvelope;
}

/**
 * A session's events as the log holds them, with their stream sequences: the source of the
 * histories the aggregate does not keep (old turns, every version of a state entry).
 */
@Injectable()
export class SessionLog {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly sessions: SessionRepository,
  ) {}

  /** Every event of the session whose type is one of `types`, oldest first. */
  async events(sessionKey: string, types: readonly string[]): Promise<LoggedEvent[]> {
    const commits = await this.store.readSubject(this.sessions.subjectOf(sessionKey));
    return commits.flatMap((c) => c.events.filter((e) => types.includes(e.type)).map((envelope) => ({ seq: c.seq, envelope })));
  }
}
