import { Inject, Injectable } from '@nestjs/common';
import { DATA_SOURCE } from '@orch/service-kit';
import type { DataSource } from 'typeorm';

/** What a briefing or CHANGES.md needs of a task, from `session_task_facts`. */
export interface TaskFacts {
  code: string;
  sprintCode: string | null;
  title: string;
  description: string;
  status: string;
  estimateMinutes: number | null;
}

export interface OpenBug {
  hash: string;
  message: string;
  category: string;
  occurrenceCount: number;
  lastSeen: string;
}

/** The task's current estimate and the active time of its other sessions (from `orchestration_sessions`). */
export interface TaskTime {
  estimateMinutes: number | null;
  otherSessionsMs: number;
}

/** Reads of the facts this service keeps about tasks and bugs (no request to another service). */
@Injectable()
export class TaskFactsReader {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  async task(code: string): Promise<TaskFacts | null> {
    const rows: TaskFacts[] = await this.ds.query(
      `SELECT task_code AS code, sprint_code AS "sprintCode", title, description, status, estimate_minutes AS "estimateMinutes" FROM session_task_facts WHERE task_code = $1`,
      [code],
    );
    return rows[0] ?? null;
  }

  /** Null when the task's facts are not known yet (then the estimate from session start stands). */
  async taskTime(code: string, sessionKey: string): Promise<TaskTime | null> {
    const rows: Array<{ estimateMinutes: number | null; otherSessionsMs: string }> = await this.ds.query(
      `SELECT f.estimate_minutes AS "estimateMinutes",
              (SELECT COALESCE(SUM(active_ms), 0) FROM orchestration_sessions WHERE task_code = $1 AND session_key <> $2) AS "otherSessionsMs"
         FROM session_task_facts f WHERE f.task_code = $1`,
      [code, sessionKey],
    );
    const row = rows[0];
    return row ? { estimateMinutes: row.estimateMinutes, otherSessionsMs: Number(row.otherSessionsMs) } : null;
  }

  /** The task's OPEN bugs, most recently seen first. */
  async openBugs(code: string, limit = 20): Promise<OpenBug[]> {
    return this.ds.query(
      `SELECT bug_hash AS hash, message, category, occurrence_count AS "occurrenceCount", to_char(last_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "lastSeen"
         FROM session_task_bugs WHERE tasks @> ARRAY[$1::text] AND status = 'OPEN' ORDER BY last_seen DESC LIMIT $2`,
      [code, limit],
    );
  }
}
