import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { Assignment, type Subjects } from '@orch/contracts';
import { NATS, SUBJECTS } from '@orch/service-kit';

/** What goes between instances: the assignment, and who sent it (so the sender skips its own echo). */
const Signal = z.object({ from: z.string(), assignment: Assignment });

/**
 * Wakes long-polls. The instance that assigned a task is often not the one holding the agent's
 * long-poll (queue groups spread requests), so the signal goes over core NATS to every instance;
 * its own polls it wakes at once, without the hop through the server.
 */
@Injectable()
export class AssignmentSignals implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly waiters = new Map<string, Set<(a: Assignment | null) => void>>();
  private readonly cancels = new WeakMap<Promise<Assignment | null>, (a: Assignment | null) => void>();
  private sub: Subscription | null = null;
  private readonly instance = randomUUID();

  constructor(
    @Inject(NATS) private readonly nc: NatsConnection,
    @Inject(SUBJECTS) private readonly subjects: Subjects,
  ) {}

  private subject(agentId: string): string {
    return this.subjects.control('agent-manager', `assigned.${agentId}`);
  }

  onApplicationBootstrap(): void {
    this.sub = this.nc.subscribe(this.subject('*'), {
      callback: (_err, msg) => {
        const agentId = msg.subject.slice(msg.subject.lastIndexOf('.') + 1);
        const parsed = msg.data.length ? Signal.safeParse(safeJson(msg.data)) : null;
        if (parsed?.success && parsed.data.from === this.instance) return; // woken already
        // Unreadable (garbage, another version): wake with nothing, and the poll reads the log.
        this.wake(agentId, parsed?.success ? parsed.data.assignment : null);
      },
    });
  }

  onApplicationShutdown(): void {
    this.sub?.unsubscribe();
    for (const set of this.waiters.values()) for (const wake of set) wake(null);
  }

  /** The planner accepted the assignment: wake the agent's long-poll with it (no re-read needed). */
  assigned(agentId: string, assignment: Assignment): void {
    this.wake(agentId, assignment);
    this.nc.publish(this.subject(agentId), JSON.stringify({ from: this.instance, assignment }));
  }

  private wake(agentId: string, assignment: Assignment | null): void {
    for (const wake of [...(this.waiters.get(agentId) ?? [])]) wake(assignment);
  }

  /** Resolves with the assignment of the next signal for this agent, or null after `ms`. */
  wait(agentId: string, ms: number): Promise<Assignment | null> {
    let done!: (a: Assignment | null) => void;
    const promise = new Promise<Assignment | null>((resolve) => {
      const set = this.waiters.get(agentId) ?? new Set();
      this.waiters.set(agentId, set);
      done = (a) => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0) this.waiters.delete(agentId);
        resolve(a);
      };
      const timer = setTimeout(() => done(null), ms);
      set.add(done);
    });
    this.cancels.set(promise, done);
    return promise;
  }

  /** Stops waiting (the answer was there already), so no timer outlives the request. */
  cancel(wait: Promise<Assignment | null> | null): void {
    if (!wait) return;
    this.cancels.get(wait)?.(null);
    this.cancels.delete(wait);
  }
}

function safeJson(data: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(data));
  } catch {
    return null;
  }
}
