import { BugEvent, type BugOccurrence, type EventEnvelope } from '@orch/contracts';
import type { PgProjection } from '@orch/projections';
import type { EntityManager } from 'typeorm';

/**
 * `orchestration_bugs`, one statement per event in log order. Occurrences update `context` in SQL,
 * so that a hot bug needs no read before its write; the checkpoint (same transaction) makes a
 * commit delivered twice count once.
 */
export const bugProjection: PgProjection = {
  kind: 'postgres',
  name: 'bugs',
  aggregateTypes: ['bug'],
  tables: ['orchestration_bugs'],
  async apply(commits, tx) {
    for (const envelope of commits.flatMap((c) => c.events)) {
      if (envelope.aggregateType === 'bug') await applyBug(tx, envelope, BugEvent.parse(envelope));
    }
  },
};

async function applyBug(tx: EntityManager, env: EventEnvelope, event: BugEvent): Promise<void> {
  switch (event.type) {
    case 'orchestration.bug.logged': {
      const d = event.data;
      const context = {
        occurrence_count: 1,
        regression_count: 0,
        error_type: d.errorClass,
        category: d.category,
        template: d.template,
        fingerprint_version: d.fingerprintVersion,
        frame: d.frame,
        stack: d.stack,
        notes: d.notes,
        first_seen: env.occurredAt,
        last_seen: env.occurredAt,
        last_task_code: d.taskCode,
        tasks: d.taskCode ? [d.taskCode] : [],
        sessions: d.sessionId ? [d.sessionId] : [],
        agents: d.agentId ? [d.agentId] : [],
      };
      await tx.query(
        `INSERT INTO orchestration_bugs (bug_hash, task_code, error_message, file_path, line_number, status, category, context, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'OPEN', $6, $7, $8, $9, $9) ON CONFLICT (bug_hash) DO NOTHING`,
        [env.aggregateId, d.taskCode, d.message, d.file, d.line, d.category, JSON.stringify(context), env.version, env.occurredAt],
      );
      return;
    }
    case 'orchestration.bug.occurred':
      return occur(tx, env, event.data, false);
    case 'orchestration.bug.regressed':
      return occur(tx, env, event.data, true);
    case 'orchestration.bug.resolved':
      await tx.query(
        `UPDATE orchestration_bugs SET status = 'RESOLVED', version = $2, updated_at = $3,
           context = context || jsonb_build_object('resolved_at', $5::text, 'resolution', $4::text)
         WHERE bug_hash = $1`,
        [env.aggregateId, env.version, env.occurredAt, event.data.resolution, env.occurredAt],
      );
      return;
    default: {
      const never: never = event;
      return never;
    }
  }
}

const addTo = (key: string, param: string) =>
  `CASE WHEN ${param}::text IS NULL OR context->'${key}' ? ${param}::text THEN context->'${key}' ELSE context->'${key}' || to_jsonb(${param}::text) END`;

async function occur(tx: EntityManager, env: EventEnvelope, o: BugOccurrence, regression: boolean): Promise<void> {
  await tx.query(
    `UPDATE orchestration_bugs SET
       error_message = $2, file_path = COALESCE($3, file_path), line_number = COALESCE($4, line_number),
       status = 'OPEN', version = $5, updated_at = $6,
       context = context || jsonb_build_object(
         'occurrence_count', (context->>'occurrence_count')::int + 1,
         'regression_count', (context->>'regression_count')::int + $10::int,
         'last_seen', $11::text,
         'last_task_code', COALESCE($7::text, context->>'last_task_code'),
         'tasks', ${addTo('tasks', '$7')},
         'sessions', ${addTo('sessions', '$8')},
         'agents', ${addTo('agents', '$9')})
     WHERE bug_hash = $1`,
    [env.aggregateId, o.message, o.file, o.line, env.version, env.occurredAt, o.taskCode, o.sessionId, o.agentId, regression ? 1 : 0, env.occurredAt],
  );
}
