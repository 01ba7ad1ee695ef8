import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Actor, NextTaskQuery, NextTaskReply } from '@orch/contracts';
import { NotFoundError } from '@orch/errors';
import { DATA_SOURCE } from '@orch/service-kit';
import type { DataSource } from 'typeorm';
import { AgentDirectory } from '../agents/agent-directory';
import { criticalPath } from '../plans/graph/critical-path';
import { indexGraph } from '../plans/graph/dag';
import { TaskReadModel } from '../read-model/task-read-model';

export class NextTask extends Query<NextTaskReply> {
  constructor(
    readonly query: NextTaskQuery,
    readonly actor: Actor,
    readonly correlationId: string,
  ) {
    super();
  }
}

/** The task is held by a paused workflow, or by a cancelled one that no running workflow has taken over from. */
const HELD_BY_WORKFLOW = `SELECT 1 FROM orchestration_workflow_tasks m JOIN orchestration_workflows w ON w.workflow_id = m.workflow_id
   WHERE m.task_code = t.task_code AND (w.status = 'PAUSED' OR (w.status = 'CANCELLED' AND NOT EXISTS (
     SELECT 1 FROM orchestration_workflow_tasks m2 JOIN orchestration_workflows w2 ON w2.workflow_id = m2.workflow_id
      WHERE m2.task_code = t.task_code AND w2.status = 'RUNNING')))`;

interface Candidate {
  task_code: string;
  sprint_code: string | null;
  priority: string;
}

/**
 * `GET /tasks/next?agent=`: among READY tasks whose required capabilities the agent has (and that
 * no paused or cancelled workflow holds), the highest priority; ties go to the least critical-path slack, then
 * to the oldest. Capabilities come from the agent manager; when it does not answer, the answer
 * says so and capabilities are not filtered.
 */
@QueryHandler(NextTask)
export class NextTaskHandler implements IQueryHandler<NextTask> {
  constructor(
    private readonly agents: AgentDirectory,
    private readonly tasks: TaskReadModel,
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
  ) {}

  async execute({ query, actor, correlationId }: NextTask): Promise<NextTaskReply> {
    const agent = await this.agents.get(query.agent, actor, correlationId);
    if (agent === undefined) throw new NotFoundError('AGENT.NOT_FOUND', `Agent ${query.agent} is not registered`);
    const capabilities = agent?.capabilities ?? null;
    const who = { id: query.agent, capabilities: capabilities ?? [], known: agent !== null };
    const top = await this.topPriorityCandidates(query.sprint ?? null, capabilities);
    const unchecked = capabilities === null ? ' (the agent manager did not answer: capabilities were not checked)' : '';
    if (top.length === 0) {
      return { task: null, slackMinutes: null, agent: who, reason: `No READY task${query.sprint ? ` in ${query.sprint}` : ''} matches the capabilities of ${query.agent}${unchecked}` };
    }
    const slack = await this.slackOf(top);
    const best = top.map((c, i) => ({ c, i, slack: slack.get(c.task_code) ?? 0 })).sort((a, b) => a.slack - b.slack || a.i - b.i)[0]!;
    const tie = top.length > 1 ? `; of ${top.length} at this priority it has the least critical-path slack (${best.slack} min), then is the oldest` : '';
    return {
      task: await this.tasks.get(best.c.task_code),
      slackMinutes: best.slack,
      agent: who,
      reason: `Highest-priority READY task (${best.c.priority}) that ${query.agent} can do${tie}${unchecked}`,
    };
  }

  /**
   * Every READY task the agent may take at the highest priority any of them has, oldest first:
   * the whole band, with no row limit, so the least-slack task is among them however many tie.
   */
  private async topPriorityCandidates(sprint: string | null, capabilities: string[] | null): Promise<Candidate[]> {
    return this.ds.query(
      `WITH eligible AS (
         SELECT task_code, sprint_code, priority, created_at, CASE priority WHEN 'HIGH' THEN 0 WHEN 'MEDIUM' THEN 1 ELSE 2 END AS rank
           FROM orchestration_tasks t
          WHERE status = 'READY' AND ($1::text IS NULL OR sprint_code = $1) AND ($2::text[] IS NULL OR required_capabilities <@ $2::text[])
            AND NOT EXISTS (${HELD_BY_WORKFLOW}))
       SELECT task_code, sprint_code, priority FROM eligible WHERE rank = (SELECT min(rank) FROM eligible) ORDER BY created_at, task_code`,
      [sprint, capabilities],
    );
  }

  /** Slack of each candidate on the graph of its own sprint's open tasks (each sprint is its own plan). */
  private async slackOf(candidates: Candidate[]): Promise<Map<string, number>> {
    const sprints = [...new Set(candidates.map((c) => c.sprint_code).filter((s): s is string => s !== null))];
    const rows: Array<{ task_code: string; sprint_code: string | null; estimate_minutes: number | null; depends_on: string[] }> = await this.ds.query(
      `SELECT task_code, sprint_code, estimate_minutes, depends_on FROM orchestration_tasks
        WHERE (sprint_code = ANY($1) OR task_code = ANY($2)) AND status NOT IN ('DONE', 'CANCELLED')`,
      [sprints, candidates.map((c) => c.task_code)],
    );
    const groups = new Map<string, typeof rows>();
    for (const r of rows) groups.set(r.sprint_code ?? `task:${r.task_code}`, [...(groups.get(r.sprint_code ?? `task:${r.task_code}`) ?? []), r]);
    const slack = new Map<string, number>();
    for (const group of groups.values()) {
      const open = new Set(group.map((r) => r.task_code));
      const g = indexGraph(group.map((r) => ({ id: r.task_code, estimateMinutes: r.estimate_minutes ?? 0, dependsOn: r.depends_on.filter((d) => open.has(d)) })));
      const cp = criticalPath(g);
      g.ids.forEach((id, v) => slack.set(id, cp?.slack[v] ?? 0));
    }
    return slack;
  }
}
