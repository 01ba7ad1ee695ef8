import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * `orchestration_events`: the seeds' event table, one row per event of the log. `(seq,
 * event_index)` is its place in the log: the commit's stream sequence and its order within it.
 */
@Entity('orchestration_events')
@Index(['taskCode', 'seq'])
@Index(['sessionKey', 'seq'])
@Index(['sprintCode', 'seq'])
export class OrchestrationEvent {
  @PrimaryColumn({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  seq!: number;

  @PrimaryColumn({ name: 'event_index', type: 'int' })
  eventIndex!: number;

  @Column({ name: 'event_id', type: 'uuid', unique: true })
  eventId!: string;

  @Column({ name: 'event_type', type: 'text' })
  eventType!: string;

  @Column({ name: 'entity_type', type: 'text' })
  entityType!: string;

  @Column({ name: 'entity_id', type: 'text' })
  entityId!: string;

  @Column({ name: 'session_key', type: 'text', nullable: true })
  sessionKey!: string | null;

  @Column({ name: 'task_code', type: 'text', nullable: true })
  taskCode!: string | null;

  @Column({ name: 'sprint_code', type: 'text', nullable: true })
  sprintCode!: string | null;

  @Column({ type: 'int' })
  version!: number;

  @Column({ type: 'jsonb' })
  actor!: { kind: 'agent' | 'human' | 'system'; id: string };

  @Column({ name: 'correlation_id', type: 'text' })
  correlationId!: string;

  /** `object` rather than a record type: TypeORM's insert typing cannot express `unknown` values. */
  @Column({ type: 'jsonb' })
  payload!: object;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  /** Weighted full-text vector, written by the projection's own INSERT (see events.projection.ts). */
  @Column({ name: 'search_vector', type: 'tsvector', select: false, insert: false, update: false })
  searchVector!: string;
}

/** Which sprint each task belongs to, so that events that do not say it still land in SPRINT scope. */
@Entity('search_task_scopes')
export class SearchTaskScope {
  @PrimaryColumn({ name: 'task_code', type: 'text' })
  taskCode!: string;

  @Column({ name: 'sprint_code', type: 'text', nullable: true })
  sprintCode!: string | null;
}
