import { randomUUID } from 'node:crypto';
import type { EventEnvelope, Subjects } from '@orch/contracts';
import type { EventStore } from '@orch/event-store';

let counter = 0;

/**
 * Appends one event as its owning service would: a new aggregate unless `aggregate.id` names one,
 * then after its last event (next version, expected sequence). The notifier is a consumer of the
 * log and must not care who wrote it.
 */
export async function appendEvent(
  store: EventStore,
  subjects: Subjects,
  type: string,
  data: Record<string, unknown>,
  aggregate: { type: string; id?: string } = { type: type.split('.')[1]! },
): Promise<{ id: string; seq: number }> {
  const aggregateId = aggregate.id ?? `${aggregate.type.toUpperCase()}-${process.pid}-${++counter}-${randomUUID().slice(0, 8)}`;
  const subject = subjects.aggregate(aggregate.type, aggregateId);
  const before = aggregate.id ? await store.readSubject(subject, 0) : [];
  const last = before[before.length - 1];
  const commandId = randomUUID();
  const event: EventEnvelope = {
    id: randomUUID(),
    type,
    aggregateType: aggregate.type,
    aggregateId,
    version: (last?.events[last.events.length - 1]?.version ?? 0) + 1,
    occurredAt: new Date().toISOString(),
    actor: { kind: 'agent', id: 'agent-7' },
    commandId,
    correlationId: commandId,
    causationId: null,
    schemaVersion: 1,
    data,
  };
  const { seq } = await store.append(subject, { events: [event] }, { expectedLastSubjectSeq: last?.seq ?? 0, commandId, correlationId: commandId });
  return { id: event.id, seq };
}
