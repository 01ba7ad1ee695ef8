import { isPhaseCustom, isPhaseEnd, isPhaseStart, SessionEvent, type EventEnvelope } from '@orch/contracts';
import type { PgProjection } from '@orch/projections';
import type { EntityManager } from 'typeorm';

/**
 * `orchestration_sessions`, one statement per event in log order; the checkpoint in the same
 * transaction makes a commit delivered twice count once. Artifact contents stay in the log.
 */
export const sessionProjection: PgProjection = {
  kind: 'postgres',
  name: 'sessions',
  aggregateTypes: ['session'],
  tables: ['orchestration_sessions'],
  async apply(commits, tx) {
    for (const commit of commits) {
      for (const envelope of commit.events) {
        if (envelope.aggregateType === 'session') await applySession(tx, envelope, SessionEvent.parse(envelope), commit.seq);
      }
    }
  },
};

/** Sets columns and merges `metadata` keys of one session row, and moves its activity marks. */
async function touch(tx: EntityManager, env: EventEnvelope, seq: number, set: Record<string, unknown>, metadata: string | null = null, params: unknown[] = []): Promise<void> {
  const cols = Object.keys(set);
  const values = Object.values(set);
  const first = 5 + params.length;
  const assignments = cols.map((c, i) => `${c} = $${first + i}`);
  if (metadata) assignments.push(`metadata = ${metadata}`);
  await tx.query(
    `UPDATE orchestration_sessions SET ${[...assignments, 'version = $2', 'last_activity_at = $3', 'last_activity_g = $4'].join(', ')} WHERE session_key = $1`,
    [env.aggregateId, env.version, env.occurredAt, seq, ...params, ...values],
  );
}

async function applySession(tx: EntityManager, env: EventEnvelope, event: SessionEvent, seq: number): Promise<void> {
  if (isPhaseStart(event)) {
    const entry = JSON.stringify([{ phase: event.data.phase, started_at: env.occurredAt, completed_at: null }]);
    return touch(tx, env, seq, { current_phase: event.data.phase }, null, []).then(() =>
      tx.query(`UPDATE orchestration_sessions SET phase_history = phase_history || $2::jsonb WHERE session_key = $1`, [env.aggregateId, entry]).then(() => undefined),
    );
  }
  if (isPhaseEnd(event)) {
    await touch(tx, env, seq, {});
    await tx.query(
      `UPDATE orchestration_sessions SET phase_history = jsonb_set(phase_history, ARRAY[(jsonb_array_length(phase_history) - 1)::text],
         phase_history->-1 || jsonb_build_object('completed_at', $2::text, 'duration_ms', $3::bigint, 'overridden', $4::boolean))
       WHERE session_key = $1 AND phase_history->-1->>'phase' = $5`,
      [env.aggregateId, env.occurredAt, event.data.durationMs, event.data.overridden, event.data.phase],
    );
    return;
  }
  if (isPhaseCustom(event)) {
    // A declared phase event (e.g. execute.step_complete): counted per name, for operators.
    return touch(tx, env, seq, {}, `jsonb_set(metadata, '{phase_events}', COALESCE(metadata->'phase_events', '{}'::jsonb) || jsonb_build_object($5::text, COALESCE((metadata->'phase_events'->>$5::text)::int, 0) + 1))`, [event.data.event]);
  }
  const addTo = (key: string) => `jsonb_set(metadata, '{${key}}', COALESCE(metadata->'${key}', '[]'::jsonb) || $5::jsonb)`;
  switch (event.type) {
    case 'orchestration.session.start': {
      const d = event.data;
      await tx.query(
        `INSERT INTO orchestration_sessions (session_key, task_code, sprint_code, template, status, current_phase, agent_id, actor_id, started_at, last_activity_at, version, created_g, last_activity_g, metadata)
         VALUES ($1, $2, $3, $4, 'ACTIVE', $5, $6, $7, $8, $8, $9, $10, $10, $11) ON CONFLICT (session_key) DO NOTHING`,
        [env.aggregateId, d.taskCode, d.sprintCode, d.template, d.phases[0], d.agentId, env.actor.id, env.occurredAt, env.version, seq, JSON.stringify({ phases: d.phases, task_title: d.taskTitle, estimate_minutes: d.estimateMinutes, artifacts: [], commits: [], notes: 0, progress_updates: 0, overrides: 0 })],
      );
      return;
    }
    case 'orchestration.session.end':
      return touch(tx, env, seq, { status: event.data.status, ended_at: env.occurredAt, active_ms: event.data.activeMs }, `metadata || $5::jsonb`, [JSON.stringify({ forced: event.data.forced, end_reason: event.data.reason, phase_durations: event.data.phaseDurations })]);
    case 'orchestration.session.suspended':
      return touch(tx, env, seq, { status: 'SUSPENDED' }, `metadata || $5::jsonb`, [JSON.stringify({ suspended_reason: event.data.reason })]);
    case 'orchestration.session.resumed':
      return touch(tx, env, seq, { status: 'ACTIVE', agent_id: event.data.agentId });
    case 'orchestration.session.taken_over':
      return touch(tx, env, seq, { agent_id: event.data.toAgentId, actor_id: env.actor.id });
    case 'orchestration.phase.override':
      return touch(tx, env, seq, {}, `jsonb_set(metadata, '{overrides}', to_jsonb(COALESCE((metadata->>'overrides')::int, 0) + 1))`);
    case 'orchestration.session.note_added':
      return touch(tx, env, seq, {}, `jsonb_set(metadata, '{notes}', to_jsonb(COALESCE((metadata->>'notes')::int, 0) + 1))`);
    case 'orchestration.session.progress_updated':
      return touch(tx, env, seq, {}, `jsonb_set(metadata, '{progress_updates}', to_jsonb(COALESCE((metadata->>'progress_updates')::int, 0) + 1)) || jsonb_build_object('last_progress', $5::text)`, [event.data.text]);
    case 'orchestration.session.artifact_registered':
      return touch(tx, env, seq, {}, `jsonb_set(metadata, '{artifacts}', (SELECT COALESCE(jsonb_agg(a), '[]'::jsonb) FROM jsonb_array_elements(metadata->'artifacts') a WHERE a->>'name' <> $6) || $5::jsonb)`, [
        JSON.stringify([{ name: event.data.name, sha256: event.data.sha256, size: event.data.size, uri: event.data.uri, phase: event.data.phase }]),
        event.data.name,
      ]);
    case 'orchestration.session.commit_recorded': {
      const { hash, shortHash, message, author, phase } = event.data;
      return touch(tx, env, seq, {}, addTo('commits'), [JSON.stringify([{ hash, short_hash: shortHash, message, author, phase: phase.toLowerCase(), captured_at: env.occurredAt }])]);
    }
    case 'orchestration.session.pull_request_linked':
      return touch(tx, env, seq, {}, `metadata || $5::jsonb`, [JSON.stringify({ pull_request: { url: event.data.url, provider: event.data.provider, number: event.data.number, linked_at: env.occurredAt } })]);
    case 'orchestration.session.changes_recorded':
      return touch(tx, env, seq, {}, `metadata || $5::jsonb`, [JSON.stringify({ changes: { files: event.data.files, diff_summary: event.data.diffSummary } })]);
    case 'orchestration.session.state_updated':
      return touch(tx, env, seq, {}, `metadata || jsonb_build_object('state_version', $5::int)`, [event.data.stateVersion]);
    case 'orchestration.session.fields_recorded':
      return touch(tx, env, seq, {}, `jsonb_set(metadata, '{fields}', COALESCE(metadata->'fields', '{}'::jsonb) || $5::jsonb)`, [JSON.stringify(event.data.fields)]);
    case 'orchestration.session.turn_added': // conversation totals (issue 12); the turns themselves stay in the log
      return touch(tx, env, seq, {}, `metadata || jsonb_build_object('turns', COALESCE((metadata->>'turns')::int, 0) + 1, 'tokens_input', COALESCE((metadata->>'tokens_input')::bigint, 0) + $5::bigint, 'tokens_output', COALESCE((metadata->>'tokens_output')::bigint, 0) + $6::bigint)`, [
        event.data.tokens?.input ?? 0,
        event.data.tokens?.output ?? 0,
      ]);
    case 'orchestration.session.private_state_updated': // private values never reach a table other roles read
      return touch(tx, env, seq, {});
    default: {
      const never: never = event;
      return never;
    }
  }
}
