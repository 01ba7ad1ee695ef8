import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { DomainEvent, EventEnvelope, RpcMeta, StoredCommit, Subjects } from '@orch/contracts';
import { ConflictError, InternalError, PreconditionFailedError } from '@orch/errors';
import { WrongExpectedSequence, type EventStore } from './event-store';
import { KeyedQueue } from './keyed-queue';
import { LruCache } from './lru-cache';

/** How one aggregate type folds its events. Pure: no I/O, no clock, no random ids. */
export interface AggregateDefinition<S, E extends DomainEvent> {
  type: string;
  initialState: () => S;
  /** `meta` carries what the envelope knows (when, which version) for states that keep it. */
  evolve: (state: S, event: E, meta: EventMeta) => S;
  /** Validates each event's `{type, data}` on the way in and out of the log. */
  eventSchema: z.ZodType<E>;
  /** Current schema version per event type; 1 when absent. */
  schemaVersions?: Partial<Record<E['type'], number>>;
}

export interface EventMeta {
  occurredAt: string;
  version: number;
  actor: EventEnvelope['actor'];
}

/** An aggregate as loaded: its state, its version and where its subject stands in the stream. */
export interface Loaded<S> {
  id: string;
  state: S;
  version: number;
  lastSeq: number;
  /** Command ids already in this aggregate's history → the commit they produced. */
  commands: Map<string, number>;
}

export interface ExecuteResult<S> {
  state: S;
  version: number;
  /** Stream sequence of the commit (of the original one for a retried command). */
  seq: number;
  events: EventEnvelope[];
  duplicate: boolean;
}

export interface ExecuteOptions {
  /** How often a lost race is reloaded and decided again before answering 409. */
  maxAttempts?: number;
  /**
   * The id is almost certainly new (e.g. derived from a fresh command id): decide on the initial
   * state and append with expected sequence 0 without reading the log first. If the aggregate
   * exists after all, the append fails, and the usual reload-and-decide takes over.
   */
  expectNew?: boolean;
}

/** What an execute needs of the command beyond its decision: who, which id, when. */
export type CommandMeta = Pick<RpcMeta, 'actor' | 'commandId' | 'issuedAt' | 'expectedVersion'> & {
  correlationId: string;
  causationId?: string | null;
};

/**
 * A retried command whose first run wrote to another aggregate: the log's duplicate window knows
 * its id, but from a commit on another subject (a session start whose key, made from the time of
 * the request, differs between the first run and the retry). Its state is not this aggregate's, so
 * it is never answered from here: the caller may find the first run's aggregate in `commit`.
 */
export class CommandAppliedElsewhere extends ConflictError {
  constructor(readonly commit: StoredCommit) {
    const first = commit.events[0];
    super('COMMAND.APPLIED_ELSEWHERE', `This command (its idempotency key) was already applied to ${first ? `${first.aggregateType} ${first.aggregateId}` : commit.subject}`);
  }
}

/**
 * Load → decide → append with the expected subject sequence. A lost race reloads and decides
 * again (bounded); the decider itself refuses when the reloaded state no longer allows the
 * command, so a command about a particular state answers 409 instead of acting twice.
 */
export class AggregateRepository<S, E extends DomainEvent> {
  private readonly cache: LruCache<Loaded<S>>;
  /** Commands of one aggregate run one at a time in this process (see KeyedQueue). */
  private readonly queue = new KeyedQueue();

  constructor(
    private readonly store: EventStore,
    private readonly subjects: Subjects,
    private readonly def: AggregateDefinition<S, E>,
    cacheSize = 10_000,
  ) {
    this.cache = new LruCache(cacheSize);
  }

  subjectOf(id: string): string {
    return this.subjects.aggregate(this.def.type, id);
  }

  /** Folds the aggregate from the log (after what the cache holds, if anything). */
  async load(id: string, fresh = false): Promise<Loaded<S>> {
    const subject = this.subjectOf(id);
    const cached = fresh ? undefined : this.cache.get(subject);
    const base: Loaded<S> = cached ? { ...cached, commands: new Map(cached.commands) } : this.empty(id);
    const commits = await this.store.readSubject(subject, base.lastSeq);
    const loaded = commits.reduce((acc, commit) => this.fold(acc, commit), base);
    this.cache.set(subject, loaded);
    return loaded;
  }

  /**
   * The aggregate as this process last saw it, when that is the version the caller expects; read
   * from the log otherwise. Saves a round trip on commands that carry `expectedVersion`: if the
   * cache is behind after all, the command's append (which expects the cached sequence) fails, the
   * reload shows another version, and the caller gets its 412 all the same.
   */
  async loadExpecting(id: string, expectedVersion: number | undefined): Promise<Loaded<S>> {
    const cached = expectedVersion === undefined ? undefined : this.cache.get(this.subjectOf(id));
    return cached && cached.version === expectedVersion ? cached : this.load(id);
  }

  /**
   * Runs a command. Within this process the commands of one aggregate are queued, so they never
   * race each other; between processes the expected sequence still settles every race.
   */
  async execute(id: string, meta: CommandMeta, decide: (state: S, version: number) => E[], opts: ExecuteOptions = {}): Promise<ExecuteResult<S>> {
    const subject = this.subjectOf(id);
    return this.queue.run(subject, () => this.decideAndAppend(id, subject, meta, decide, opts));
  }

  private async decideAndAppend(id: string, subject: string, meta: CommandMeta, decide: (state: S, version: number) => E[], opts: ExecuteOptions): Promise<ExecuteResult<S>> {
    const maxAttempts = opts.maxAttempts ?? 5;
    const cached = this.cache.get(subject);
    let current = cached ?? (opts.expectNew ? this.empty(id) : await this.load(id));
    // A cached (or assumed new) state may be behind what another process appended. A decision that
    // writes finds out, because its append expects the cached sequence; one that refuses, or
    // writes nothing, would answer from the stale state. Those are taken again on the latest state.
    let latest = !cached && !opts.expectNew;
    for (let attempt = 1; ; attempt++) {
      const seen = current.commands.get(meta.commandId);
      if (seen !== undefined) return this.replay(current, seen);
      let decided: E[];
      try {
        if (meta.expectedVersion !== undefined && meta.expectedVersion !== current.version) {
          throw new PreconditionFailedError('VERSION.MISMATCH', `${this.def.type} ${id} is at version ${current.version}, not ${meta.expectedVersion}`, {
            currentVersion: current.version,
          });
        }
        decided = decide(current.state, current.version);
      } catch (error) {
        if (latest) throw error;
        current = await this.load(id);
        latest = true;
        continue;
      }
      if (decided.length === 0) {
        if (!latest) {
          current = await this.load(id);
          latest = true;
          continue;
        }
        return { state: current.state, version: current.version, seq: current.lastSeq, events: [], duplicate: false };
      }
      const events = decided.map((e, i) => this.envelope(id, current.version + i + 1, e, meta));
      try {
        const { seq, duplicate } = await this.store.append(subject, { events }, {
          expectedLastSubjectSeq: current.lastSeq,
          commandId: meta.commandId,
          correlationId: meta.correlationId,
        });
        if (duplicate) return this.replayDuplicate(id, subject, seq);
        const next = this.fold(current, { seq, subject, time: meta.issuedAt, events });
        this.cache.set(subject, next);
        return { state: next.state, version: next.version, seq, events, duplicate: false };
      } catch (error) {
        if (!(error instanceof WrongExpectedSequence)) throw error;
        if (attempt >= maxAttempts) {
          throw new ConflictError('AGGREGATE.CONFLICT', `${this.def.type} ${id} kept changing; ${attempt} attempts lost the race`);
        }
        current = await this.load(id);
        latest = true;
      }
    }
  }

  private empty(id: string): Loaded<S> {
    return { id, state: this.def.initialState(), version: 0, lastSeq: 0, commands: new Map() };
  }

  private fold(acc: Loaded<S>, commit: StoredCommit): Loaded<S> {
    let { state, version } = acc;
    for (const envelope of commit.events) {
      const event = this.def.eventSchema.parse({ type: envelope.type, data: envelope.data });
      state = this.def.evolve(state, event, { occurredAt: envelope.occurredAt, version: envelope.version, actor: envelope.actor });
      version = envelope.version;
    }
    const commands = acc.commands;
    const first = commit.events[0];
    if (first) commands.set(first.commandId, commit.seq);
    return { id: acc.id, state, version, lastSeq: commit.seq, commands };
  }

  /** The stream said "duplicate": the first run's commit, if it is this aggregate's, answers the retry. */
  private async replayDuplicate(id: string, subject: string, seq: number): Promise<ExecuteResult<S>> {
    const commit = await this.readCommit(seq);
    if (commit.subject !== subject) throw new CommandAppliedElsewhere(commit);
    const current = await this.load(id);
    return { state: current.state, version: current.version, seq, events: commit.events, duplicate: true };
  }

  /** A retried command: answer with what its first run stored, write nothing. */
  private async replay(current: Loaded<S>, seq: number): Promise<ExecuteResult<S>> {
    const commit = await this.readCommit(seq);
    return { state: current.state, version: current.version, seq, events: commit.events, duplicate: true };
  }

  private async readCommit(seq: number): Promise<StoredCommit> {
    const commit = await this.store.readCommit(seq);
    if (!commit) throw new InternalError('EVENT_LOG.MISSING_COMMIT', `commit ${seq} is not in the log`);
    return commit;
  }

  private envelope(id: string, version: number, event: E, meta: CommandMeta): EventEnvelope {
    const checked = this.def.eventSchema.parse(event);
    const schemaVersion = (this.def.schemaVersions as Record<string, number> | undefined)?.[checked.type] ?? 1;
    return {
      id: randomUUID(),
      type: checked.type,
      aggregateType: this.def.type,
      aggregateId: id,
      version,
      occurredAt: meta.issuedAt,
      actor: meta.actor,
      commandId: meta.commandId,
      correlationId: meta.correlationId,
      causationId: meta.causationId ?? null,
      schemaVersion,
      data: checked.data as Record<string, unknown>,
    };
  }
}
