import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { AgentEvent, type StoredCommit } from '@orch/contracts';
import { PreconditionFailedError } from '@orch/errors';
import { INFRA, LOGGER, type Infrastructure } from '@orch/service-kit';
import { AgentRepository } from '../agents/agent.repository';
import { AgentRegistry } from '../agents/registry';
import type { AgentManagerSettings } from '../config/settings';
import { LivenessStore } from '../liveness/liveness-store';
import { AgentReadModel } from '../read-model/agent-read-model';
import { Spawner } from '../spawning/spawner';
import { AgentRoster } from '../read-model/agent-roster';
import { SETTINGS } from '../tokens';
import { Assigner } from './assigner';
import { PlannerClient } from './planner-client';
import { TaskLookup, type TaskFacts } from './task-lookup';
import { WorkConsumer } from './work-consumer';

const ACTIVE = ['ASSIGNED', 'IN_PROGRESS'];
/** A reservation this young on a task still READY is an assignment in flight, not a stale hold. */
const IN_FLIGHT_MS = 10_000;
/** How often held tasks are audited against the log. */
const AUDIT_MS = 30_000;

/**
 * Reacts to the log: a task that becomes READY is assigned at once; a task that leaves its agent
 * (done, failed, released, reassigned) frees the agent's slot; an agent that is lost or terminated
 * gives its tasks back to READY. A periodic scan retries READY tasks that found no agent.
 */
@Injectable()
export class Dispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private consumers: WorkConsumer[] = [];
  private timer: NodeJS.Timeout | null = null;
  private audit: NodeJS.Timeout | null = null;
  private scanning: Promise<void> | null = null;
  private rescan = false;

  constructor(
    @Inject(INFRA) private readonly infra: Infrastructure,
    private readonly assigner: Assigner,
    private readonly tasks: TaskLookup,
    private readonly agents: AgentRepository,
    private readonly registry: AgentRegistry,
    private readonly readModel: AgentReadModel,
    private readonly roster: AgentRoster,
    private readonly spawner: Spawner,
    private readonly planner: PlannerClient,
    private readonly liveness: LivenessStore,
    @Inject(SETTINGS) private readonly settings: AgentManagerSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { js, jsm, subjects, config } = this.infra;
    const base = { js, jsm, stream: config.NATS_STREAM, subjects, logger: this.logger };
    this.consumers = [
      new WorkConsumer({ ...base, durable: 'agent-manager-tasks', filter: `${subjects.prefix}.evt.task.>`, concurrency: 16, handle: (c) => this.onTaskCommit(c) }),
      new WorkConsumer({ ...base, durable: 'agent-manager-agents', filter: `${subjects.prefix}.evt.agent.>`, concurrency: 16, handle: (c) => this.onAgentCommit(c) }),
      new WorkConsumer({ ...base, durable: 'agent-manager-workflows', filter: `${subjects.prefix}.evt.workflow.>`, concurrency: 4, handle: (c) => this.onWorkflowCommit(c) }),
    ];
    for (const c of this.consumers) await c.start();
    this.timer = setInterval(() => this.scanSoon(), this.settings.assignScanMs);
    this.timer.unref();
    this.audit = setInterval(() => void this.auditHolds().catch((e) => this.logger.warn({ err: e }, 'hold audit failed')), AUDIT_MS);
    this.audit.unref();
  }

  /**
   * A slot reserved on an agent whose assignment never reached the planner (the instance died in
   * between) is given back here: every held task is checked against the log now and then, by one
   * instance at a time.
   */
  async auditHolds(): Promise<void> {
    // The lock keeps two instances from auditing at once; it expires if the holder dies mid-audit.
    if (!(await this.liveness.lock('audit-holds', AUDIT_MS))) return;
    try {
      for (const agent of await this.readModel.list({ limit: 1000 })) {
        for (const code of agent.taskCodes) {
          const task = await this.tasks.load(code);
          if (task) await this.reconcileHolders(task);
          else await this.registry.execute({ type: 'ReleaseTask', id: agent.id, taskCode: code, reason: 'task does not exist' });
        }
      }
    } finally {
      await this.liveness.unlock('audit-holds');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.audit) clearInterval(this.audit);
    await Promise.all(this.consumers.map((c) => c.stop()));
    await this.scanning;
  }

  /** Retries READY tasks nobody holds; coalesces requests that arrive while a scan runs. */
  scanSoon(): void {
    if (this.scanning) {
      this.rescan = true;
      return;
    }
    this.scanning = this.scan()
      .catch((e) => this.logger.warn({ err: e }, 'assignment scan failed'))
      .finally(() => {
        this.scanning = null;
        if (this.rescan) {
          this.rescan = false;
          this.scanSoon();
        }
      });
  }

  private async scan(): Promise<void> {
    if (!this.settings.autoAssign) return;
    const codes = await this.readModel.readyTasks(200);
    for (let i = 0; i < codes.length; i += 8) {
      const outcomes = await Promise.all(codes.slice(i, i + 8).map((c) => this.assigner.tryAssign(c)));
      if (outcomes.includes('no-agent')) return; // nobody free: wait for an agent to free up
    }
  }

  private async onTaskCommit(commit: StoredCommit): Promise<void> {
    const code = commit.events[0]?.aggregateId;
    if (!code) return;
    const task = this.tasks.observe(commit) ?? (await this.tasks.load(code));
    if (!task) return;
    if (task.status === 'READY' && !task.assignee) await this.assigner.tryAssign(code, task);
    // A task nobody ever held has no holder to reconcile, and one held by its active assignee alone
    // has none to release: the common cases, answered without a read. (A later state that does
    // need a release comes with its own commit.) Otherwise holders are judged on the latest state,
    // not the state as of this (possibly old) commit.
    if (!task.assignee && !task.previousAssignee && task.status === 'READY') return;
    if (await this.heldByAssigneeAlone(task)) return;
    const latest = await this.tasks.load(code);
    if (latest) await this.reconcileHolders(latest);
  }

  private async heldByAssigneeAlone(task: TaskFacts): Promise<boolean> {
    if (!task.assignee || !ACTIVE.includes(task.status)) return false;
    if (task.previousAssignee && task.previousAssignee !== task.assignee) return false;
    return (await this.roster.holdersOf(task.code)).every((h) => h === task.assignee);
  }

  /** Whoever holds this task but should not any more gives the slot back. */
  private async reconcileHolders(task: TaskFacts): Promise<void> {
    const holders = new Set([task.assignee, task.previousAssignee, ...(await this.roster.holdersOf(task.code))].filter((h): h is string => !!h));
    for (const agentId of holders) {
      if (task.assignee === agentId && ACTIVE.includes(task.status)) continue;
      const held = (await this.agents.load(agentId)).state?.tasks.find((t) => t.taskCode === task.code);
      if (!held) continue;
      if (task.status === 'READY' && !task.assignee && Date.now() - Date.parse(held.assignedAt) < IN_FLIGHT_MS) continue;
      await this.registry.execute({ type: 'ReleaseTask', id: agentId, taskCode: task.code, reason: `task is ${task.status}${task.assignee && task.assignee !== agentId ? ` and assigned to ${task.assignee}` : ''}` });
    }
  }

  private async onAgentCommit(commit: StoredCommit): Promise<void> {
    for (const env of commit.events) {
      const parsed = AgentEvent.safeParse(env);
      if (!parsed.success) continue;
      const event = parsed.data;
      switch (event.type) {
        case 'orchestration.agent.lost':
        case 'orchestration.agent.terminated':
          for (const code of event.data.taskCodes) await this.giveBack(code, event.data.agentId, event.type === 'orchestration.agent.lost' ? 'agent lost' : 'agent terminated');
          // A spawned agent that stopped beating is hung: its tasks went to others just now, so
          // it must not go on working on them. Whichever instance runs its process stops it.
          if (event.type === 'orchestration.agent.lost') this.spawner.kill(event.data.agentId);
          break;
        case 'orchestration.agent.registered':
        case 'orchestration.agent.recovered':
        case 'orchestration.agent.task_released':
          this.scanSoon();
          break;
        default:
          break;
      }
    }
  }

  /** A resumed workflow's tasks may be assigned again (they were skipped while it was paused). */
  private async onWorkflowCommit(commit: StoredCommit): Promise<void> {
    if (!commit.events.some((e) => e.type === 'orchestration.workflow.resumed')) return;
    await this.liveness.clearPaused();
    this.scanSoon();
  }

  /** The planner moves the task back to READY (assignee cleared); the next agent resumes its session. */
  private async giveBack(code: string, agentId: string, reason: string): Promise<void> {
    for (let attempt = 1; attempt <= 5; attempt++) {
      const task = await this.tasks.load(code);
      if (!task || task.assignee !== agentId || !ACTIVE.includes(task.status)) return;
      try {
        await this.planner.updateTask(code, { status: 'READY', assignee: null, reason: `${reason}: ${agentId}` }, task.version, `release-${code}-v${task.version}`);
        return;
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
      }
    }
  }
}
