import { z } from 'zod';
import { Actor } from './actor';
import { AggregateId, AggregateType } from './ids';

/**
 * Event type names keep the seeds' form: `orchestration.<entity>.<past_tense_verb>`, or
 * `orchestration.phase.<phase>.start|end` for phases.
 */
export const EventTypeName = z.string().regex(/^orchestration(\.[a-z0-9_]+){2,3}$/, 'must look like orchestration.<entity>.<verb>');

/** The envelope every event travels in. `data` is validated per type by the aggregate's own schema. */
export const EventEnvelope = z.object({
  id: z.uuid(),
  type: EventTypeName,
  aggregateType: AggregateType,
  aggregateId: AggregateId,
  version: z.number().int().positive(),
  occurredAt: z.iso.datetime({ offset: true }),
  actor: Actor,
  commandId: z.string().min(1).max(128),
  correlationId: z.string().min(1).max(128),
  causationId: z.string().min(1).max(128).nullable(),
  schemaVersion: z.number().int().positive(),
  data: z.record(z.string(), z.unknown()),
});
export type EventEnvelope = z.infer<typeof EventEnvelope>;

/**
 * One message on the stream = one accepted command. Its events are ordered and atomic: they
 * are appended together or not at all (nats-server 2.9 has no atomic batch publish).
 */
export const CommitBody = z.object({
  events: z.array(EventEnvelope).min(1),
});
export type CommitBody = z.infer<typeof CommitBody>;

/** A commit as read back from the stream: its body plus the stream sequence it got. */
export interface StoredCommit {
  seq: number;
  subject: string;
  time: string;
  events: EventEnvelope[];
}

/** What a decider emits: a type and its data. The store wraps it into an envelope. */
export interface DomainEvent<T extends string = string, D = Record<string, unknown>> {
  type: T;
  data: D;
}
