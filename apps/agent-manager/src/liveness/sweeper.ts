import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '@orch/service-kit';
import { AgentRegistry } from '../agents/registry';
import type { AgentManagerSettings } from '../config/settings';
import { SETTINGS } from '../tokens';
import { LivenessStore } from './liveness-store';

/**
 * Every few hundred ms each instance looks for agents whose last beat is older than their type's
 * stale timeout. Per agent, a short Redis lock lets one instance act; the aggregate makes the
 * transition itself idempotent (a second "mark stale" decides nothing), so even a lock that
 * expired mid-way cannot emit an event twice.
 */
@Injectable()
export class LivenessSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly registry: AgentRegistry,
    private readonly liveness: LivenessStore,
    @Inject(SETTINGS) private readonly settings: AgentManagerSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.sweep().catch((e) => this.logger.warn({ err: e }, 'liveness sweep failed')).finally(() => (this.running = null));
    }, this.settings.sweepMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One pass; public so that tests and the benchmark can drive it. */
  async sweep(now = Date.now()): Promise<void> {
    const shortest = Math.min(...this.registry.timeoutsOfAll().map((t) => t.staleAfterMs));
    for (const { id, at } of await this.liveness.silentSince(now - shortest)) {
      const status = await this.liveness.statusOf(id);
      if (status !== 'IDLE' && status !== 'BUSY' && status !== 'STALE') continue;
      const type = await this.liveness.typeOf(id);
      const { staleAfterMs, lostAfterMs } = this.registry.timeouts(type ?? '');
      const silent = now - at;
      if (silent < staleAfterMs) continue;
      if (!(await this.liveness.lock(`sweep:${id}`, Math.max(5_000, this.settings.sweepMs * 5)))) continue;
      try {
        const lastHeartbeatAt = new Date(at).toISOString();
        if (silent >= lostAfterMs) {
          // Passing through STALE first keeps the history readable: silent, then gone.
          if (status !== 'STALE') await this.registry.execute({ type: 'MarkStale', id, lastHeartbeatAt });
          const lost = await this.registry.execute({ type: 'MarkLost', id });
          if (lost.events.length) this.logger.warn({ agentId: id, silentMs: silent }, 'agent lost');
        } else if (status !== 'STALE') {
          await this.registry.execute({ type: 'MarkStale', id, lastHeartbeatAt });
        }
      } finally {
        await this.liveness.unlock(`sweep:${id}`);
      }
    }
  }
}
