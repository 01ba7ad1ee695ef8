import { isPhaseEnd, isPhaseStart, SessionEvent, type EventEnvelope } from '@orch/contracts';
import type { EntityManager } from 'typeorm';

/**
 * The task's session state, commits and pull request in `orchestration_tasks.metadata`, laid out
 * as the seeds do (`metadata->session`, `metadata->commits`, `metadata->pull_request`), from the
 * session service's events. Owned by the sessions slice; the planner projection calls it in log
 * order inside its own transaction, so it is exactly-once like the rest of the row.
 */
export async function applyTaskSessionMetadata(tx: EntityManager, env: EventEnvelope): Promise<void> {
  const parsed = SessionEvent.safeParse({ type: env.type, data: env.data });
  if (!parsed.success) return; // a session event type this version does not know: nothing for the task
  const event = parsed.data;
  const task = event.data.taskCode;
  const key = event.data.sessionKey;
  // Only the task's current session (the one named in metadata->session) moves the session block.
  const onSession = (expr: string, params: unknown[]) =>
    tx.query(`UPDATE orchestration_tasks SET metadata = ${expr} WHERE task_code = $1 AND metadata->'session'->>'session_key' = $2`, [task, key, ...params]);
  const session = (patch: Record<string, unknown>) => onSession(`jsonb_set(metadata, '{session}', (metadata->'session') || $3::jsonb)`, [JSON.stringify(patch)]);

  if (isPhaseStart(event)) return void (await session({ current_phase: event.data.phase.toLowerCase() }));
  if (isPhaseEnd(event)) {
    const entry = JSON.stringify([{ phase: event.data.phase.toLowerCase(), completed_at: env.occurredAt, duration_ms: event.data.durationMs, overridden: event.data.overridden }]);
    await onSession(`jsonb_set(metadata, '{session,phase_history}', COALESCE(metadata->'session'->'phase_history', '[]'::jsonb) || $3::jsonb)`, [entry]);
    return;
  }
  switch (event.type) {
    case 'orchestration.session.start': {
      const block = { session_key: key, started_at: env.occurredAt, current_phase: event.data.phases[0]!.toLowerCase(), active: true, status: 'ACTIVE', template: event.data.template, agent_id: event.data.agentId, phase_history: [] };
      // The session block, and time_tracking from the task's first session on (the seeds' layout), in one statement.
      await tx.query(
        `UPDATE orchestration_tasks SET metadata = metadata || jsonb_build_object('session', $2::jsonb, 'time_tracking', jsonb_build_object('actual_ms', COALESCE((metadata->'time_tracking'->>'actual_ms')::bigint, 0), 'estimate_minutes', estimate_minutes, 'sessions', COALESCE((metadata->'time_tracking'->>'sessions')::int, 0) + 1)) WHERE task_code = $1`,
        [task, JSON.stringify(block)],
      );
      return;
    }
    case 'orchestration.session.suspended':
      return void (await session({ active: false, status: 'SUSPENDED' }));
    case 'orchestration.session.resumed':
      return void (await session({ active: true, status: 'ACTIVE', agent_id: event.data.agentId }));
    case 'orchestration.session.end':
      await session({ active: false, status: event.data.status, ended_at: env.occurredAt, active_ms: event.data.activeMs, phase_durations_ms: event.data.phaseDurations, forced: event.data.forced });
      await tx.query(
        `UPDATE orchestration_tasks SET metadata = jsonb_set(metadata, '{time_tracking}', COALESCE(metadata->'time_tracking', '{}'::jsonb) || jsonb_build_object('actual_ms', COALESCE((metadata->'time_tracking'->>'actual_ms')::bigint, 0) + $2::bigint, 'estimate_minutes', estimate_minutes)) WHERE task_code = $1`,
        [task, event.data.activeMs],
      );
      return;
    case 'orchestration.session.commit_recorded': {
      const d = event.data;
      const commit = JSON.stringify([{ hash: d.hash, short_hash: d.shortHash, captured_at: env.occurredAt, phase: d.phase.toLowerCase(), message: d.message, author: d.author, session_key: key }]);
      await tx.query(
        `UPDATE orchestration_tasks SET metadata = jsonb_set(metadata, '{commits}', COALESCE(metadata->'commits', '[]'::jsonb) || $2::jsonb) WHERE task_code = $1 AND NOT COALESCE(metadata->'commits', '[]'::jsonb) @> $3::jsonb`,
        [task, commit, JSON.stringify([{ hash: d.hash }])],
      );
      return;
    }
    case 'orchestration.session.pull_request_linked': {
      const pr = { url: event.data.url, number: event.data.number, provider: event.data.provider, linked_at: env.occurredAt };
      await tx.query(`UPDATE orchestration_tasks SET metadata = metadata || jsonb_build_object('pull_request', $2::jsonb) WHERE task_code = $1`, [task, JSON.stringify(pr)]);
      return;
    }
    default:
      return; // notes, artifacts, state: the session's own read model keeps them
  }
}
