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
import { AgentRoster } from '../read-model/agent-roster';
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
  constructor(
    private readonly registry: AgentRegistry,
    private readonly roster: AgentRoster,
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
    const candidates = await this.roster.available();
    // One round trip: claim the task (unless another instance holds it or its workflow is paused)
    // and, when the task is known, take a slot for the type of the agent it will most likely get;
    // the Redis client pipelines commands sent in the same turn.
    const ranked = loaded && isOpen(loaded) ? rank(candidates, loaded) : null;
    const likely = ranked?.[0];
    const [claim, take] = await Promise.allSettled([this.liveness.claim(code, 15_000), likely ? this.quota.take(likely.type) : null]);
    const ahead: SlotAhead | null = likely && take.status === 'fulfilled' && take.value !== null ? { type: likely.type, taken: take.value, used: false } : null;
    try {
      if (claim.status === 'rejected') throw claim.reason;
      if (!claim.value) return 'skipped';
      try {
        if (take.status === 'rejected') throw take.reason;
        return await this.assign(code, candidates, ranked, ahead, loaded);
      } finally {
        void this.liveness.unlock(`claim:${code}`).catch(() => undefined);
      }
    } finally {
      if (ahead?.taken && !ahead.used) await this.quota.give(ahead.type);
    }
  }

  /** `ranked`: the matching agents in order, when the caller knew the task; else read and ranked here. */
  private async assign(code: string, candidates: AgentView[], ranked: AgentView[] | null, ahead: SlotAhead | null, loaded?: TaskFacts): Promise<AssignOutcome> {
    const task = loaded ?? (await this.tasks.load(code));
    if (!task || !isOpen(task)) return 'skipped';
    const matches = ranked ?? rank(candidates, task);
    const full = new Set<string>();
    for (const agent of matches) {
      if (full.has(agent.type)) continue;
      if (!(await this.takeSlot(agent.type, ahead))) {
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
        if (res.state) this.roster.observe(res.state); // the next task sees this agent's new load at once
      } catch (error) {
        await this.budget.refund(task.sprintCode, cost);
        await this.quota.give(agent.type);
        if (error instanceof ConflictError) continue; // full or unavailable by now: the next agent in order
        throw error;
      }
      try {
        await this.planner.updateTask(code, { status: 'ASSIGNED', assignee: agent.id }, task.version, `assign-${code}-v${task.version}-${agent.id}`);
      } catch (error) {
        const why = error instanceof OrchError ? error.code : 'error';
        // A paused (or cancelled) workflow: not now. Skip the task until its workflow resumes (or a while passes).
        if (why === 'WORKFLOW.PAUSED' || why === 'WORKFLOW.CANCELLED') await this.liveness.markPaused(code, PAUSED_RETRY_MS);
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

  /** The slot taken ahead counts for the first agent of its type; any other asks Redis. */
  private async takeSlot(type: string, ahead: SlotAhead | null): Promise<boolean> {
    if (ahead && !ahead.used && ahead.type === type) {
      ahead.used = true;
      return ahead.taken;
    }
    return this.quota.take(type);
  }
}

/** A type slot taken in the claim's round trip; given back if no agent of that type used it. */
interface SlotAhead {
  type: string;
  taken: boolean;
  used: boolean;
}

const isOpen = (task: TaskFacts): boolean => task.status === 'READY' && !task.assignee;

/** The agents that can take the task, best first (SPEC §4.3 order). */
const rank = (candidates: AgentView[], task: TaskFacts): AgentView[] => matchAgents(candidates, { capabilities: task.requiredCapabilities }).matches;
