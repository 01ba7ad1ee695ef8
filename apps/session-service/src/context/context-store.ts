import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { contextAggregateId, type ContextEvent, type MeContext, type PutMeContextBody, type Subjects } from '@orch/contracts';
import { AggregateRepository, type CommandMeta, type EventStore } from '@orch/event-store';
import { EVENT_STORE, REDIS, SUBJECTS } from '@orch/service-kit';
import { SessionReadModel } from '../read-model/session-read-model';
import { ContextAggregate, decideContext, EMPTY_CONTEXT, type ContextState } from './actor-context';

/** Contexts of callers that went quiet expire from Redis; the log keeps them. */
const TTL_SECONDS = 30 * 24 * 3600;
/** Context choices of one actor rarely race; when they do, each is decided again on the newest state. */
const RETRIES = 10;

@Injectable()
export class ContextRepository extends AggregateRepository<ContextState, ContextEvent> {
  constructor(@Inject(EVENT_STORE) store: EventStore, @Inject(SUBJECTS) subjects: Subjects) {
    super(store, subjects, ContextAggregate);
  }
}

/**
 * Each caller's current sprint, task and session (SPEC §4.1 context scoping). The log is the
 * truth (the `context` aggregate, one per actor); Redis is its cache. When Redis has nothing for
 * a caller (flushed, expired, new instance) the context is read back from the log; a caller with
 * no context events yet (older than them) gets the open session it touched last.
 */
@Injectable()
export class ContextStore {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly sessions: SessionReadModel,
    private readonly contexts: ContextRepository,
  ) {}

  private key(actorId: string): string {
    return `sessions:ctx:${actorId}`;
  }

  async get(actorId: string): Promise<MeContext> {
    const raw = await this.redis.get(this.key(actorId));
    if (raw) return { ...EMPTY_CONTEXT, ...(JSON.parse(raw) as Partial<MeContext>) };
    const rebuilt = await this.fromLog(actorId);
    if (rebuilt !== EMPTY_CONTEXT) await this.write(actorId, rebuilt);
    return rebuilt;
  }

  /** Records a choice (a `null` clears a key; another task drops the old task's session) in the log, then in Redis. */
  async update(meta: CommandMeta, patch: PutMeContextBody): Promise<MeContext> {
    const actorId = meta.actor.id;
    const id = contextAggregateId(actorId);
    const { state: loaded } = await this.contexts.load(id);
    const base = loaded ? EMPTY_CONTEXT : await this.get(actorId);
    // Its own command id: the caller's id already named the session command's commit.
    const { expectedVersion: _notOurs, ...rest } = meta;
    const result = await this.contexts.execute(id, { ...rest, commandId: `${meta.commandId}:context` }, (s) => decideContext({ actorId, patch, base }, s), { maxAttempts: RETRIES });
    const next = result.state ? { sprintCode: result.state.sprintCode, taskCode: result.state.taskCode, sessionKey: result.state.sessionKey } : base;
    await this.write(actorId, next);
    return next;
  }

  private async fromLog(actorId: string): Promise<MeContext> {
    const { state } = await this.contexts.load(contextAggregateId(actorId));
    if (state) return { sprintCode: state.sprintCode, taskCode: state.taskCode, sessionKey: state.sessionKey };
    const open = await this.sessions.latestOpenOfActor(actorId);
    return open ? { sprintCode: open.sprintCode, taskCode: open.taskCode, sessionKey: open.sessionKey } : EMPTY_CONTEXT;
  }

  private async write(actorId: string, context: MeContext): Promise<void> {
    await this.redis.set(this.key(actorId), JSON.stringify(context), 'EX', TTL_SECONDS);
  }
}
