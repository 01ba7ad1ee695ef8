import { Inject, Injectable } from '@nestjs/common';
import type { ListSessionsQuery, SessionStatus } from '@orch/contracts';
import { DATA_SOURCE } from '@orch/service-kit';
import type { DataSource } from 'typeorm';

export interface SessionRowView {
  sessionKey: string;
  taskCode: string;
  sprintCode: string | null;
  status: SessionStatus;
  currentPhase: string;
  agentId: string | null;
  startedAt: string;
  endedAt: string | null;
  activeMs: number;
  version: number;
}

const COLUMNS = `session_key AS "sessionKey", task_code AS "taskCode", sprint_code AS "sprintCode", status, current_phase AS "currentPhase",
  agent_id AS "agentId", to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "startedAt",
  to_char(ended_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "endedAt", active_ms::int AS "activeMs", version`;

/** Reads of `orchestration_sessions`, parameterised: lookups by task, agent and actor. */
@Injectable()
export class SessionReadModel {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  async list(q: ListSessionsQuery): Promise<SessionRowView[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.task) where.push(`task_code = $${params.push(q.task)}`);
    if (q.status) where.push(`status = $${params.push(q.status)}`);
    if (q.agent) where.push(`agent_id = $${params.push(q.agent)}`);
    params.push(q.limit);
    return this.ds.query(`SELECT ${COLUMNS} FROM orchestration_sessions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC, session_key DESC LIMIT $${params.length}`, params);
  }

  /** The task's newest session (any status). */
  async latestOfTask(taskCode: string): Promise<SessionRowView | null> {
    const rows: SessionRowView[] = await this.ds.query(`SELECT ${COLUMNS} FROM orchestration_sessions WHERE task_code = $1 ORDER BY started_at DESC, session_key DESC LIMIT 1`, [taskCode]);
    return rows[0] ?? null;
  }

  /** Every session of the task, oldest first (CHANGES.md covers them all). */
  async allOfTask(taskCode: string): Promise<SessionRowView[]> {
    return this.ds.query(`SELECT ${COLUMNS} FROM orchestration_sessions WHERE task_code = $1 ORDER BY started_at ASC, session_key ASC`, [taskCode]);
  }

  /** The task's session that is still open (ACTIVE or SUSPENDED), if any. */
  async openOfTask(taskCode: string): Promise<SessionRowView | null> {
    const rows: SessionRowView[] = await this.ds.query(
      `SELECT ${COLUMNS} FROM orchestration_sessions WHERE task_code = $1 AND status IN ('ACTIVE', 'SUSPENDED') ORDER BY started_at DESC LIMIT 1`,
      [taskCode],
    );
    return rows[0] ?? null;
  }

  async activeOfAgent(agentId: string): Promise<string[]> {
    const rows: Array<{ key: string }> = await this.ds.query(`SELECT session_key AS key FROM orchestration_sessions WHERE agent_id = $1 AND status = 'ACTIVE'`, [agentId]);
    return rows.map((r) => r.key);
  }

  /** The session an actor touched last that is still open: its context when Redis has none. */
  async latestOpenOfActor(actorId: string): Promise<SessionRowView | null> {
    const rows: SessionRowView[] = await this.ds.query(
      `SELECT ${COLUMNS} FROM orchestration_sessions WHERE (actor_id = $1 OR agent_id = $1) AND status IN ('ACTIVE', 'SUSPENDED') ORDER BY last_activity_at DESC LIMIT 1`,
      [actorId],
    );
    return rows[0] ?? null;
  }
}
