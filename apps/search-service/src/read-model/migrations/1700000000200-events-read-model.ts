import type { MigrationInterface, QueryRunner } from 'typeorm';

export class EventsReadModel1700000000200 implements MigrationInterface {
  name = 'EventsReadModel1700000000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE orchestration_events (
      seq bigint NOT NULL,
      event_index int NOT NULL,
      event_id uuid NOT NULL UNIQUE,
      event_type text NOT NULL,
      entity_type text NOT NULL,
      entity_id text NOT NULL,
      session_key text,
      task_code text,
      sprint_code text,
      version int NOT NULL,
      actor jsonb NOT NULL,
      correlation_id text NOT NULL,
      payload jsonb NOT NULL,
      occurred_at timestamptz NOT NULL,
      PRIMARY KEY (seq, event_index)
    )`);
    await q.query('CREATE INDEX orchestration_events_type_idx ON orchestration_events (event_type, seq)');
    await q.query('CREATE INDEX orchestration_events_entity_idx ON orchestration_events (entity_type, entity_id, seq)');
    await q.query('CREATE INDEX orchestration_events_task_idx ON orchestration_events (task_code, seq) WHERE task_code IS NOT NULL');
    await q.query('CREATE INDEX orchestration_events_session_idx ON orchestration_events (session_key, seq) WHERE session_key IS NOT NULL');
    await q.query('CREATE INDEX orchestration_events_sprint_idx ON orchestration_events (sprint_code, seq) WHERE sprint_code IS NOT NULL');
    await q.query('CREATE TABLE search_task_scopes (task_code text PRIMARY KEY, sprint_code text)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE search_task_scopes');
    await q.query('DROP TABLE orchestration_events');
  }
}
