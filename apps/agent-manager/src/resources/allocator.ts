import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { HostView, QuotasReply, RegisterHostBody, ResourcePoolEvent, ResourcesView, SetQuotasBody, Subjects } from '@orch/contracts';
import { NotFoundError } from '@orch/errors';
import { AggregateRepository, type CommandMeta, type EventStore } from '@orch/event-store';
import { EVENT_STORE, SUBJECTS } from '@orch/service-kit';
import { LogLookup } from './log-lookup';
import type { Outcome, PlacementRequest } from './placement';
import { allocate, allocationsOf, decide as decideOn, PoolAggregate, POOL_ID, type Allocation, type PoolState } from './pool';
import { refusalError } from './refusal';
import type { ResourcesConfig } from './resources-config';
import { RESOURCES_CONFIG } from './tokens';
import { quotaWarnings, resourcesView } from './usage';

interface Pending {
  request: PlacementRequest;
  meta: CommandMeta;
  resolve: (a: Allocation) => void;
  reject: (e: unknown) => void;
}

/** Placement does not depend on what a caller saw: a lost race between instances is decided again. */
const RETRY = { maxAttempts: 25 };
const BATCH = 64;

/** The allocation of a spawn, derived from the spawn's command id so that a retried spawn finds it. */
export const allocationIdFor = (commandId: string): string => `alc-${commandId.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 100)}`;

const systemActor = { kind: 'system' as const, id: 'agent-manager' };
const meta = (commandId: string, from?: CommandMeta): CommandMeta => ({
  actor: from?.actor ?? systemActor,
  commandId,
  issuedAt: new Date().toISOString(),
  correlationId: from?.correlationId ?? commandId,
});

/**
 * The resource allocator (the seeds' allocate / release / usage / quotas). Every decision is a
 * command on the one pool aggregate, so no two spawns can take the same capacity, on one
 * instance or many (the log's expected sequence settles races), and a restart rebuilds the pool
 * from the log. Spawns that arrive while a placement is being written wait and are placed
 * together in the policy's order: that is where `priority` and `fair_share` decide who gets the
 * last slots.
 */
@Injectable()
export class Allocator {
  private readonly pool: AggregateRepository<PoolState, ResourcePoolEvent>;
  private pending: Pending[] = [];
  private draining: Promise<void> | null = null;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(SUBJECTS) subjects: Subjects,
    @Inject(RESOURCES_CONFIG) private readonly config: ResourcesConfig,
    private readonly lookup: LogLookup,
  ) {
    this.pool = new AggregateRepository(store, subjects, PoolAggregate, 4);
  }

  /** Reserves what a spawn needs, or throws the refusal (nothing is written then). */
  async reserve(request: PlacementRequest, from: CommandMeta): Promise<Allocation> {
    if (request.sprintCode && !(await this.lookup.exists('sprint', request.sprintCode))) {
      throw new NotFoundError('SPRINT.NOT_FOUND', `Sprint ${request.sprintCode} does not exist`);
    }
    return new Promise<Allocation>((resolve, reject) => {
      this.pending.push({ request, meta: from, resolve, reject });
      this.drainSoon();
    });
  }

  private drainSoon(): void {
    if (this.draining) return;
    this.draining = this.drain().finally(() => {
      this.draining = null;
      if (this.pending.length > 0) this.drainSoon();
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, BATCH);
      try {
        let outcomes: Outcome[] = [];
        const command = { type: 'Allocate' as const, requests: batch.map((p) => p.request), policy: this.config.policy, configHosts: this.config.hosts };
        const { state } = await this.pool.execute(POOL_ID, meta(randomUUID(), batch[0]!.meta), (s) => {
          const decided = allocate(command, s);
          outcomes = decided.outcomes;
          return decided.events;
        }, RETRY);
        for (const p of batch) {
          const outcome = outcomes.find((o) => o.request.allocationId === p.request.allocationId)!;
          if ('refusal' in outcome) p.reject(refusalError(outcome.refusal));
          else p.resolve(state.allocations[p.request.allocationId]!);
        }
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
  }

  async bind(allocationId: string, agentId: string, from: CommandMeta): Promise<void> {
    await this.pool.execute(POOL_ID, meta(`${allocationId}-bind`, from), (s) => decideOn({ type: 'Bind', allocationId, agentId }, s), RETRY);
  }

  async release(allocationId: string, reason: string): Promise<void> {
    await this.pool.execute(POOL_ID, meta(`${allocationId}-release`), (s) => decideOn({ type: 'Release', allocationId, reason }, s), RETRY);
  }

  /** Gives back every slot the agent holds (it exited or was terminated). */
  async releaseAgent(agentId: string, reason: string): Promise<number> {
    const held = allocationsOf((await this.pool.load(POOL_ID)).state, agentId);
    for (const a of held) await this.release(a.allocationId, reason);
    return held.length;
  }

  async state(): Promise<{ state: PoolState; version: number }> {
    const loaded = await this.pool.load(POOL_ID);
    return { state: loaded.state, version: loaded.version };
  }

  async view(): Promise<ResourcesView> {
    const { state, version } = await this.state();
    return resourcesView(state, version, this.config);
  }

  async registerHost(body: RegisterHostBody, from: CommandMeta): Promise<{ host: HostView; seq: number }> {
    const capacity = { cpu: body.cpu, memoryMb: body.memoryMb, gpu: body.gpu };
    const result = await this.pool.execute(POOL_ID, from, (s) => decideOn({ type: 'RegisterHost', hostId: body.id, capacity, configHosts: this.config.hosts }, s), RETRY);
    const host = resourcesView(result.state, result.version, this.config).hosts.find((h) => h.id === body.id)!;
    return { host, seq: result.seq };
  }

  async setQuotas(body: SetQuotasBody, from: CommandMeta): Promise<{ reply: QuotasReply; seq: number }> {
    const sprints = body.sprints ?? {};
    const unknown: string[] = [];
    for (const code of Object.keys(sprints)) if (!(await this.lookup.exists('sprint', code))) unknown.push(code);
    if (unknown.length > 0) throw new NotFoundError('SPRINT.NOT_FOUND', `No such sprint: ${unknown.join(', ')} (quotas are set for existing sprints)`);
    const quotas = { perSprint: body.perSprint ?? null, sprints };
    const result = await this.pool.execute(POOL_ID, from, (s) => decideOn({ type: 'SetQuotas', quotas }, s), RETRY);
    return { reply: { quotas: result.state.quotas, warnings: quotaWarnings(result.state) }, seq: result.seq };
  }
}
