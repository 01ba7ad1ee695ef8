import { AgentEvent, TaskEvent, type EventEnvelope } from '@orch/contracts';
import type { PgProjection } from '@orch/projections';
import type { EntityManager } from 'typeorm';

/** A release with this reason prefix means the assignment never took effect: its cost is refunded. */
export const NOT_ASSIGNED = 'not assigned';

/**
 * `orchestration_agents` from agent events, `agent_task_queue` from task events, and the spend per
 * sprint. One statement per event; the checkpoint in the same transaction makes a commit delivered
 * twice count once.
 */
export const agentProjection: PgProjection = {
  kind: 'postgres',
  name: 'agents',
  aggregateTypes: ['agent', 'task'],
  tables: ['orchestration_agents', 'agent_task_queue', 'agent_sprint_spend'],
  async apply(commits, tx) {
    for (const env of commits.flatMap((c) => c.events)) {
      if (env.aggregateType === 'agent') await applyAgent(tx, env, AgentEvent.parse(env));
      else if (env.aggregateType === 'task') {
        // The planner may add task event types; this read model only needs these three.
        const parsed = TaskEvent.safeParse(env);
        if (parsed.success) await applyTask(tx, env, parsed.data);
      }
    }
  },
};

const STATUS_FROM_LOAD = `CASE WHEN status IN ('IDLE', 'BUSY') THEN (CASE WHEN cardinality(task_codes) > 0 THEN 'BUSY' ELSE 'IDLE' END) ELSE status END`;

async function applyAgent(tx: EntityManager, env: EventEnvelope, event: AgentEvent): Promise<void> {
  const id = env.aggregateId;
  const touch = async (set: string, params: unknown[] = []) =>
    tx.query(`UPDATE orchestration_agents SET ${set}, version = $2, updated_at = $3 WHERE agent_id = $1`, [id, env.version, env.occurredAt, ...params]);
  switch (event.type) {
    case 'orchestration.agent.registered': {
      const d = event.data;
      await tx.query(
        `INSERT INTO orchestration_agents (agent_id, name, type, capabilities, unknown_capabilities, status, max_load, priority, permission, cost_per_hour, registered_at, version, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'IDLE', $6, $7, $8, $9, $10, $11, $10) ON CONFLICT (agent_id) DO NOTHING`,
        [id, d.name, d.type, d.capabilities, d.unknownCapabilities, d.maxLoad, d.priority, d.permission, d.costPerHour, env.occurredAt, env.version],
      );
      return;
    }
    case 'orchestration.agent.spawned':
      await touch('spawned = true, pid = $4', [event.data.pid]);
      return;
    case 'orchestration.agent.exited':
      await touch(`pid = NULL, metadata = metadata || jsonb_build_object('exit', $4::jsonb)`, [JSON.stringify({ code: event.data.code, signal: event.data.signal, at: env.occurredAt })]);
      return;
    case 'orchestration.agent.stale':
      await touch(`status = 'STALE'`);
      return;
    case 'orchestration.agent.lost':
    case 'orchestration.agent.terminated':
      await touch(`status = $4, task_codes = '{}', load = 0, metadata = metadata || '{"tasks": {}}'::jsonb`, [event.type === 'orchestration.agent.lost' ? 'LOST' : 'TERMINATED']);
      return;
    case 'orchestration.agent.recovered':
      await touch(`status = CASE WHEN cardinality(task_codes) > 0 THEN 'BUSY' ELSE 'IDLE' END`);
      return;
    case 'orchestration.agent.task_assigned': {
      const d = event.data;
      const held = { sprintCode: d.sprintCode, title: d.title, cost: d.cost, resumed: d.resumed, assignedAt: env.occurredAt };
      await touch(
        `task_codes = array_append(array_remove(task_codes, $4::text), $4::text), load = cardinality(array_remove(task_codes, $4::text)) + 1, last_assigned_at = $3,
         status = CASE WHEN status IN ('IDLE', 'BUSY') THEN 'BUSY' ELSE status END,
         metadata = jsonb_set(CASE WHEN metadata ? 'tasks' THEN metadata ELSE metadata || '{"tasks": {}}'::jsonb END, ARRAY['tasks', $4::text], $5::jsonb)`,
        [d.taskCode, JSON.stringify(held)],
      );
      if (d.sprintCode) await tx.query(`INSERT INTO agent_sprint_spend (sprint_code, spent) VALUES ($1, $2) ON CONFLICT (sprint_code) DO UPDATE SET spent = agent_sprint_spend.spent + $2`, [d.sprintCode, d.cost]);
      return;
    }
    case 'orchestration.agent.task_released': {
      const { taskCode, reason } = event.data;
      if (reason.startsWith(NOT_ASSIGNED)) {
        await tx.query(
          `UPDATE agent_sprint_spend s SET spent = s.spent - (a.metadata->'tasks'->$2->>'cost')::float
           FROM orchestration_agents a WHERE a.agent_id = $1 AND s.sprint_code = a.metadata->'tasks'->$2->>'sprintCode'`,
          [id, taskCode],
        );
      }
      await touch(`task_codes = array_remove(task_codes, $4::text), load = cardinality(array_remove(task_codes, $4::text)), metadata = metadata #- ARRAY['tasks', $4::text]`, [taskCode]);
      await tx.query(`UPDATE orchestration_agents SET status = ${STATUS_FROM_LOAD} WHERE agent_id = $1`, [id]);
      return;
    }
    default: {
      const never: never = event;
      return never;
    }
  }
}

async function applyTask(tx: EntityManager, env: EventEnvelope, event: TaskEvent): Promise<void> {
  const code = env.aggregateId;
  switch (event.type) {
    case 'orchestration.task.created': {
      const d = event.data;
      await tx.query(
        `INSERT INTO agent_task_queue (task_code, sprint_code, title, type, priority, estimate_minutes, required_capabilities, status, version, ready_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, CASE WHEN $8 = 'READY' THEN $10::timestamptz END, $10) ON CONFLICT (task_code) DO NOTHING`,
        [code, d.sprintCode, d.title, d.type, d.priority, d.estimateMinutes, d.requiredCapabilities, d.status, env.version, env.occurredAt],
      );
      return;
    }
    case 'orchestration.task.updated': {
      const c = event.data.changes;
      const hasAssignee = c.assignee !== undefined;
      await tx.query(
        `UPDATE agent_task_queue SET
           title = COALESCE($2, title), type = COALESCE($3, type), priority = COALESCE($4, priority),
           estimate_minutes = CASE WHEN $5 THEN $6::int ELSE estimate_minutes END,
           required_capabilities = COALESCE($7, required_capabilities),
           sprint_code = CASE WHEN $8 THEN $9::text ELSE sprint_code END,
           previous_assignee = CASE WHEN $10 AND assignee IS NOT NULL AND assignee IS DISTINCT FROM $11::text THEN assignee ELSE previous_assignee END,
           assignee = CASE WHEN $10 THEN $11::text ELSE assignee END,
           version = $12, updated_at = $13
         WHERE task_code = $1`,
        [code, c.title ?? null, c.type ?? null, c.priority ?? null, c.estimateMinutes !== undefined, c.estimateMinutes ?? null, c.requiredCapabilities ?? null,
          c.sprintCode !== undefined, c.sprintCode ?? null, hasAssignee, c.assignee ?? null, env.version, env.occurredAt],
      );
      return;
    }
    case 'orchestration.task.status_updated':
      await tx.query(
        `UPDATE agent_task_queue SET status = $2, ready_at = CASE WHEN $2 = 'READY' THEN $4::timestamptz ELSE ready_at END, version = $3, updated_at = $4 WHERE task_code = $1`,
        [code, event.data.to, env.version, env.occurredAt],
      );
      return;
    default: {
      const never: never = event;
      return never;
    }
  }
}
