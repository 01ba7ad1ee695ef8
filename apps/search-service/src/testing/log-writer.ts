import { randomUUID } from 'node:crypto';
import type { Infrastructure } from '@orch/service-kit';

export interface DraftEvent {
  type: string;
  data: Record<string, unknown>;
  /** ISO time; now when absent. */
  at?: string;
}

/**
 * Appends commits to the real log the way the owning service would (through the event store,
 * with optimistic concurrency), so the search service is tested without the other services.
 */
export class LogWriter {
  constructor(private readonly infra: Infrastructure) {}

  async append(aggregateType: string, id: string, events: DraftEvent[]): Promise<number> {
    const subject = this.infra.subjects.aggregate(aggregateType, id);
    const existing = await this.infra.store.readSubject(subject);
    const version = existing.reduce((v, c) => v + c.events.length, 0);
    const commandId = randomUUID();
    const { seq } = await this.infra.store.append(
      subject,
      {
        events: events.map((e, i) => ({
          id: randomUUID(),
          type: e.type,
          aggregateType,
          aggregateId: id,
          version: version + i + 1,
          occurredAt: e.at ?? new Date().toISOString(),
          actor: { kind: 'agent', id: 'a1' },
          commandId,
          correlationId: commandId,
          causationId: null,
          schemaVersion: 1,
          data: e.data,
        })),
      },
      { expectedLastSubjectSeq: existing.at(-1)?.seq ?? 0, commandId, correlationId: commandId },
    );
    return seq;
  }

  /** A session event carrying its scope ids, as the session service writes them. */
  session(sessionKey: string, taskCode: string, sprintCode: string | null, type: string, data: Record<string, unknown>, at?: string): Promise<number> {
    return this.append('session', sessionKey, [{ type, data: { sessionKey, taskCode, sprintCode, ...data }, at }]);
  }
}
