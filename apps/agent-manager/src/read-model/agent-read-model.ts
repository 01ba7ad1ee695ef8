import { Inject, Injectable } from '@nestjs/common';
import type { AgentPermission, AgentStatus, AgentView, ListAgentsQuery } from '@orch/contracts';
import { DATA_SOURCE } from '@orch/service-kit';
import { agentView, type Agent, type HeldTask } from '../agents/agent';
import type { DataSource } from 'typeorm';

/** A row of `orchestration_agents` (`SELECT *`). */
export interface AgentRow {
  agent_id: string;
  name: string;
  type: string;
  capabilities: string[];
  unknown_capabilities: string[];
  status: string;
  load: number;
  max_load: number;
  priority: number;
  permission: string;
  cost_per_hour: number;
  task_codes: string[];
  spawned: boolean;
  pid: number | null;
  last_assigned_at: Date | null;
  registered_at: Date;
  version: number;
  /** Held tasks live in `metadata.tasks`, keyed by task code. */
  metadata: { tasks?: Record<string, Omit<HeldTask, 'taskCode'>> };
}

export interface QueuedTask {
  taskCode: string;
  sprintCode: string | null;
  title: string;
  status: string;
  previousAssignee: string | null;
}

/** Reads of `orchestration_agents` and `agent_task_queue`, parameterised. Heartbeat times are added from Redis by the caller. */
@Injectable()
export class AgentReadModel {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  async get(id: string): Promise<AgentView | null> {
    const rows: AgentRow[] = await this.ds.query('SELECT * FROM orchestration_agents WHERE agent_id = $1', [id]);
    return rows[0] ? viewFromRow(rows[0]) : null;
  }

  async list(q: Partial<ListAgentsQuery>): Promise<AgentView[]> {
    const rows: AgentRow[] = await this.ds.query(
      `SELECT * FROM orchestration_agents WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR type = $2)
       ORDER BY registered_at, agent_id LIMIT $3`,
      [q.status ?? null, q.type ?? null, q.limit ?? 1000],
    );
    return rows.map(viewFromRow);
  }

  /** READY tasks nobody holds, oldest first (for the periodic scan). */
  async readyTasks(limit: number): Promise<string[]> {
    const rows: Array<{ task_code: string }> = await this.ds.query(
      `SELECT task_code FROM agent_task_queue WHERE status = 'READY' AND assignee IS NULL ORDER BY (priority = 'HIGH') DESC, (priority = 'MEDIUM') DESC, ready_at NULLS LAST, task_code LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.task_code);
  }

  async tasks(codes: string[]): Promise<Map<string, QueuedTask>> {
    if (codes.length === 0) return new Map();
    const rows: Array<{ task_code: string; sprint_code: string | null; title: string; status: string; previous_assignee: string | null }> = await this.ds.query(
      'SELECT task_code, sprint_code, title, status, previous_assignee FROM agent_task_queue WHERE task_code = ANY($1)',
      [codes],
    );
    return new Map(rows.map((r) => [r.task_code, { taskCode: r.task_code, sprintCode: r.sprint_code, title: r.title, status: r.status, previousAssignee: r.previous_assignee }]));
  }

  async spent(sprintCode: string): Promise<number> {
    const rows: Array<{ spent: number }> = await this.ds.query('SELECT spent FROM agent_sprint_spend WHERE sprint_code = $1', [sprintCode]);
    return rows[0]?.spent ?? 0;
  }

  /** Tasks held per agent type, for the per-type concurrency quota. */
  async loadByType(): Promise<Map<string, number>> {
    const rows: Array<{ type: string; load: string }> = await this.ds.query(`SELECT type, sum(load) AS load FROM orchestration_agents WHERE status <> 'TERMINATED' GROUP BY type`);
    return new Map(rows.map((r) => [r.type, Number(r.load)]));
  }
}

export function viewFromRow(r: AgentRow): AgentView {
  return agentView(agentFromRow(r));
}

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

/** The aggregate's state as the projection stored it: what the agent roster starts from. */
export function agentFromRow(r: AgentRow): Agent {
  const held = r.metadata?.tasks ?? {};
  return {
    id: r.agent_id,
    name: r.name,
    type: r.type,
    capabilities: r.capabilities,
    unknownCapabilities: r.unknown_capabilities,
    maxLoad: r.max_load,
    priority: r.priority,
    permission: r.permission as AgentPermission,
    costPerHour: Number(r.cost_per_hour),
    status: r.status as AgentStatus,
    tasks: r.task_codes.map((taskCode) => {
      const t = held[taskCode];
      return { taskCode, sprintCode: t?.sprintCode ?? null, title: t?.title ?? '', assignedAt: t?.assignedAt ?? iso(r.registered_at)!, cost: t?.cost ?? 0, resumed: t?.resumed ?? false };
    }),
    lastAssignedAt: iso(r.last_assigned_at),
    registeredAt: iso(r.registered_at)!,
    spawned: r.spawned,
    pid: r.pid,
    version: r.version,
  };
}
