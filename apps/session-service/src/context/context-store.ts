import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { MeContext, PutMeContextBody } from '@orch/contracts';
import { REDIS } from '@orch/service-kit';
import { SessionReadModel } from '../read-model/session-read-model';

const EMPTY: MeContext = { sprintCode: null, taskCode: null, sessionKey: null };
/** Contexts of callers that went quiet expire; the log can rebuild the session part. */
const TTL_SECONDS = 30 * 24 * 3600;

/**
 * Each caller's current sprint, task and session (SPEC §4.1 context scoping), in Redis. When
 * Redis has nothing for a caller (flushed, new instance), the context is rebuilt from the read
 * model of the log: the open session the caller touched last.
 */
@Injectable()
export class ContextStore {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly sessions: SessionReadModel,
  ) {}

  private key(actorId: string): string {
    return `sessions:ctx:${actorId}`;
  }

  async get(actorId: string): Promise<MeContext> {
    const raw = await this.redis.get(this.key(actorId));
    if (raw) return { ...EMPTY, ...(JSON.parse(raw) as Partial<MeContext>) };
    const open = await this.sessions.latestOpenOfActor(actorId);
    if (!open) return EMPTY;
    const rebuilt = { sprintCode: open.sprintCode, taskCode: open.taskCode, sessionKey: open.sessionKey };
    await this.write(actorId, rebuilt);
    return rebuilt;
  }

  /** Merges `patch` (a `null` clears a key); choosing another task drops a session of the old one. */
  async update(actorId: string, patch: PutMeContextBody): Promise<MeContext> {
    const current = await this.get(actorId);
    const next: MeContext = { ...current };
    if (patch.sprintCode !== undefined) next.sprintCode = patch.sprintCode;
    if (patch.taskCode !== undefined) {
      if (patch.taskCode !== current.taskCode && patch.sessionKey === undefined) next.sessionKey = null;
      next.taskCode = patch.taskCode;
    }
    if (patch.sessionKey !== undefined) next.sessionKey = patch.sessionKey;
    await this.write(actorId, next);
    return next;
  }

  private async write(actorId: string, context: MeContext): Promise<void> {
    await this.redis.set(this.key(actorId), JSON.stringify(context), 'EX', TTL_SECONDS);
  }
}
