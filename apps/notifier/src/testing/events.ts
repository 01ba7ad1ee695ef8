import { randomUUID } from 'node:crypto';
import type { EventEnvelope, Subjects } from '@orch/contracts';
import type { EventStore } from '@orch/event-store';

let counter = 0;

/**
 * Appends one event as its owning service would (a new aggregate per call, so no expected-sequence
 * bookkeeping): the notifier is a consumer of the log and must not care who wrote it.
 */
export async function appendEvent(
  store: EventStore,
  subjects: Subjects,
  type: string,
  data: Record<string, unknown>,
  aggregate: { type: string; id?: string } = { type: type.split('.')[1]! },
): Promise<{ id: string; seq: number }> {
  const aggregateId = aggregate.id ?? `${aggregate.type.toUpperCase()}-${process.pid}-${++counter}-${randomUUID().slice(0, 8)}`;
  const commandId = randomUUID();
  const event: EventEnvelope = {
    id: randomUUID(),
    type,
    aggregateType: aggregate.type,
    aggregateId,
    version: 1,
    occurredAt: new Date().toISOString(),
    actor: { kind: 'agent', id: 'agent-7' },
    commandId,
    correlationId: commandId,
    causationId: null,
    schemaVersion: 1,
    data,
  };
  const { seq } = await store.append(subjects.aggregate(aggregate.type, aggregateId), { events: [event] }, { expectedLastSubjectSeq: 0, commandId, correlationId: commandId });
  return { id: event.id, seq };
}
