import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { AgentView } from '@orch/contracts';
import { ConflictError, OrchError } from '@orch/errors';
import { LOGGER } from '@orch/service-kit';
import { AgentRegistry } from '../agents/registry';
import type { AgentManagerSettings } from '../config/settings';
import { LivenessStore } from '../liveness/liveness-store';
import { matchAgents } from '../matching/match';
import { NOT_ASSIGNED } from '../read-model/agent.projection';
import { AgentReadModel } from '../read-model/agent-read-model';
import { SETTINGS } from '../tokens';
import { AssignmentSignals } from './assignment-signals';
import { SprintBudget } from './budget';
import { PlannerClient } from './planner-client';
import { TaskLookup, type TaskFacts } from './task-lookup';
import { TypeQuota } from './type-quota';

/** A task of a paused workflow is tried again after this long even if no resume is seen. */
const PAUSED_RETRY_MS = 60_000;

export type AssignOutcome = 'assigned' | 'no-agent' | 'budget' | 'lost-race' | 'skipped';

/**
 * Assigns one READY task: claim it (so instances do not both try), pick agents in matching order,
 * reserve a slot on the agent (the aggregate refuses past maxLoad), then move the task to ASSIGNED
 * on the planner with the version we read. A 412 means someone else won, a 409 WORKFLOW.PAUSED
 * means not now: the slot is released either way, so no task is ever held by two agents.
 */
@Injectable()
export class Assigner {
  /** What this instance learned from its own writes, fresher than the read model during a burst. */
  private readonly recent = new Map<string, { load: number; lastAssignedAt: string | null; status: string; version: number }>();

  constructor(
    private readonly registry: AgentRegistry,
    private readonly readModel: AgentReadModel,
    private readonly tasks: TaskLookup,
    private readonly planner: PlannerClient,
    private readonly budget: SprintBudget,
    private readonly signals: AssignmentSignals,
    private readonly liveness: LivenessStore,
    private readonly quota: TypeQuota,
    @Inject(SETTINGS) private readonly settings: AgentManagerSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** `loaded`: the task as the caller just read it from the log (saves reading it again). */
  async tryAssign(code: string, loaded?: TaskFacts): Promise<AssignOutcome> {
    if (!this.settings.autoAssign) return 'skipped';
    // One round trip: claim the task unless another instance holds it or its workflow is paused.
    // The candidates are read meanwhile (wasted only when the claim is refused).
    const [claimed, candidates] = await Promise.all([this.liveness.claim(code, 15_000), this.candidates()]);
    if (!claimed) return 'skipped';
    try {
      return await this.assign(code, candidates, loaded);
    } finally {
      void this.liveness.unlock(`claim:${code}`).catch(() => undefined);
    }
  }

  private async assign(code: string, candidates: AgentView[], loaded?: TaskFacts): Promise<AssignOutcome> {
    const task = loaded ?? (await this.tasks.load(code));
    if (!task || task.status !== 'READY' || task.assignee) return 'skipped';
    const { matches } = matchAgents(candidates, { capabilities: task.requiredCapabilities });
    const full = new Set<string>();
    for (const agent of matches) {
      if (full.has(agent.type)) continue;
      if (!(await this.quota.take(agent.type))) {
        full.add(agent.type); // this type is at its maxConcurrent: try agents of other types
        continue;
      }
      const cost = this.budget.costOf(agent.costPerHour, task.estimateMinutes);
      if (!(await this.budget.reserve(task.sprintCode, cost))) {
        await this.quota.give(agent.type);
        return 'budget';
      }
      const held = { taskCode: code, sprintCode: task.sprintCode, title: task.title, cost, resumed: task.previousAssignee !== null };
      try {
        const res = await this.registry.execute({ type: 'AssignTask', id: agent.id, task: held });
        // Already held (a retry): the slot was counted the first time.
        if (res.events.length === 0) await this.quota.give(agent.type);
        const s = res.state!;
        this.recent.set(agent.id, { load: s.tasks.length, lastAssignedAt: s.lastAssignedAt, status: s.status, version: s.version });
      } catch (error) {
        await this.budget.refund(task.sprintCode, cost);
        await this.quota.give(agent.type);
        if (error instanceof ConflictError) {
          this.recent.delete(agent.id);
          continue; // full or unavailable by now: the next agent in order
        }
        throw error;
      }
      try {
        await this.planner.updateTask(code, { status: 'ASSIGNED', assignee: agent.id }, task.version, `assign-${code}-v${task.version}-${agent.id}`);
      } catch (error) {
        const why = error instanceof OrchError ? error.code : 'error';
        // A paused workflow: not now. Skip the task until its workflow resumes (or a while passes).
        if (why === 'WORKFLOW.PAUSED') await this.liveness.markPaused(code, PAUSED_RETRY_MS);
        await this.registry.execute({ type: 'ReleaseTask', id: agent.id, taskCode: code, reason: `${NOT_ASSIGNED}: ${why}` });
        await this.budget.refund(task.sprintCode, cost);
        if (error instanceof OrchError && error.status < 500) return 'lost-race';
        throw error;
      }
      this.signals.assigned(agent.id, {
        taskCode: code, sprintCode: task.sprintCode, title: task.title, type: task.type, requiredCapabilities: task.requiredCapabilities,
        assignedAt: new Date().toISOString(), resumed: held.resumed, status: 'ASSIGNED',
      });
      this.logger.debug({ task: code, agent: agent.id }, 'task assigned');
      return 'assigned';
    }
    return 'no-agent';
  }

  /** Available agents from the read model, corrected by what this instance wrote since. */
  private async candidates(): Promise<AgentView[]> {
    const agents = await this.readModel.available();
    return agents.map((a) => {
      const r = this.recent.get(a.id);
      if (!r || r.version <= a.version) {
        this.recent.delete(a.id);
        return a;
      }
      return { ...a, load: r.load, lastAssignedAt: r.lastAssignedAt };
    });
  }
}
