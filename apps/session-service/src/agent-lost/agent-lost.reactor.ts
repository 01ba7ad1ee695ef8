import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { AgentLost, type EventEnvelope } from '@orch/contracts';
import type { PgProjection } from '@orch/projections';
import { LOGGER, ProjectionHost } from '@orch/service-kit';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import { decide } from '../sessions/session.decide';
import { SessionRepository } from '../sessions/session.repository';

/** How long the reaction waits for `orchestration_sessions` to include the commits before the loss. */
const SESSIONS_WAIT_MS = 5_000;

/**
 * Suspends the ACTIVE sessions of an agent the agent manager declared LOST. It runs as a durable
 * pull consumer with a checkpoint (the projection runtime), so a restart neither misses nor
 * repeats a loss: each suspension's command id is derived from the lost event, and a command
 * already in the session's history is answered from it instead of appended again.
 */
@Injectable()
export class AgentLostReactor implements OnModuleInit {
  constructor(
    private readonly host: ProjectionHost,
    private readonly sessions: SessionRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.host.register(this.projection());
  }

  projection(): PgProjection {
    return {
      kind: 'postgres',
      name: 'session_agent_lost',
      aggregateTypes: ['agent'],
      tables: [],
      apply: async (commits, tx) => {
        for (const commit of commits) {
          for (const envelope of commit.events) {
            if (envelope.type === 'orchestration.agent.lost') await this.suspendSessionsOf(envelope, commit.seq, tx);
          }
        }
      },
    };
  }

  private async suspendSessionsOf(envelope: EventEnvelope, seq: number, tx: EntityManager): Promise<void> {
    const parsed = AgentLost.safeParse({ type: envelope.type, data: envelope.data });
    if (!parsed.success) {
      this.logger.warn({ seq, issues: parsed.error.issues }, 'malformed orchestration.agent.lost skipped');
      return;
    }
    const { agentId, name } = parsed.data.data;
    await this.host.get('sessions')?.waitFor(seq, SESSIONS_WAIT_MS);
    // Only sessions with nothing after the loss: a rebuild replaying an old loss must not suspend
    // sessions that were started or resumed since (their activity is past the loss's sequence).
    const rows: Array<{ key: string }> = await tx.query(
      `SELECT session_key AS key FROM orchestration_sessions WHERE agent_id = $1 AND status = 'ACTIVE' AND last_activity_g < $2`,
      [agentId, seq],
    );
    for (const { key } of rows) {
      const meta = {
        actor: { kind: 'system' as const, id: 'session-service' },
        commandId: `agent-lost-${envelope.id}-${key}`.slice(0, 128),
        issuedAt: envelope.occurredAt,
        correlationId: envelope.correlationId,
        causationId: envelope.id,
      };
      await this.sessions.execute(key, meta, (s) => (s?.status === 'ACTIVE' ? decide({ type: 'SuspendSession', reason: `agent ${name} (${agentId}) was lost`, agentId }, s) : []), { maxAttempts: 20 });
      this.logger.info({ sessionKey: key, agentId }, 'session suspended: its agent was lost');
    }
  }
}
