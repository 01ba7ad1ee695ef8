import type { ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { Subjects, UpcasterRegistry } from '@orch/contracts';
import { decodeCommit, PoisonCommitError, type EventStore } from '@orch/event-store';
import type { Applier, BatchItem } from './appliers';
import { openProjectionConsumer, type RawCommit } from './consumer';
import { deadLetter } from './dead-letters';
import { PositionWaiters } from './position-waiters';
import type { PgAdvisoryLease } from './lease';

export interface RunnerDeps {
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** For filling gaps by reading missing commits straight from the log. */
  store: EventStore;
  stream: string;
  subjects: Subjects;
  logger: Logger;
  upcasters?: UpcasterRegistry;
  lease?: PgAdvisoryLease;
  /** When given, each new checkpoint is announced on `<prefix>.ctl.checkpoint.<name>`. */
  nc?: NatsConnection;
  /** Most commits applied in one transaction (default 500). */
  batchSize?: number;
  /** A transaction that has not settled after this long is given up on and retried (default 60 s). */
  applyTimeoutMs?: number;
}

export interface RunnerStats {
  name: string;
  position: number;
  active: boolean;
  applied: number;
  deadLettered: number;
  gapFills: number;
  /** Times the store was found behind this runner and the lost stretch replayed. */
  rewinds: number;
}

type Raw = RawCommit;

const DEFAULT_BATCH = 500;
/**
 * Commits a read model ignores are passed over in memory and written to the store with the next
 * write, or after this long, or when the projection goes idle: every service's projections see
 * every commit of the log, and a transaction apiece for the ones they ignore was most of the
 * database work under load.
 */
const SKIP_PERSIST_MS = 1_000;
/**
 * Under a steady stream of commits, a projection that has just written waits this long before the
 * next write, so that commits arriving meanwhile share its transaction: a few milliseconds of lag
 * for far fewer transactions (and less CPU taken from the services answering requests).
 */
const LINGER_MS = 3;
const MAX_ATTEMPTS_PER_COMMIT = 3;

/** An apply that never settled (seen after a Postgres restart: a transaction left idle, its reply never delivered). */
class ApplyTimeout extends Error {
  constructor(ms: number) {
    super(`applying did not finish within ${ms} ms`);
    this.name = 'ApplyTimeout';
  }
}

/**
 * Drives one projection from a durable pull consumer over the whole log. The log has no holes
 * (deny_delete, one stream), so the projection requires seq = checkpoint + 1: a redelivery is
 * skipped, a gap is filled by reading the log directly, and nothing is applied twice or out of
 * order, whatever the consumer delivers and however many instances run.
 */
export class ProjectionRunner {
  private readonly buffer = new Map<number, { raw: Raw; msg?: JsMsg }>();
  private position = 0;
  private running = false;
  private active = false;
  private messages: ConsumerMessages | null = null;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private readonly waiters = new PositionWaiters();
  private leaseTriedAt = 0;
  /** The checkpoint as last written to the store, and when: `position` may be ahead by skipped commits. */
  private persisted = 0;
  private persistedAt = 0;
  private persistRetryAt = 0;
  private readonly stats = { applied: 0, deadLettered: 0, gapFills: 0, rewinds: 0 };
  private readonly logger: Logger;

  constructor(
    private readonly deps: RunnerDeps,
    readonly name: string,
    private readonly applier: Applier,
  ) {
    this.logger = deps.logger.child({ projection: name });
  }

  get durableName(): string {
    return `proj_${this.name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  }

  /** Starts consuming in the background (once this instance holds the lease). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run().catch((error) => this.logger.fatal({ err: error }, 'projection loop crashed'));
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.messages?.close().catch(() => undefined);
    await this.loop;
    await this.deps.lease?.release();
    this.waiters.releaseAll();
  }

  status(): RunnerStats {
    return { name: this.name, position: this.position, active: this.active, ...this.stats };
  }

  /**
   * Resolves true once the read model has applied `seq` (read-your-writes), false after the
   * timeout. An instance that is not the active consumer reads the shared checkpoint.
   */
  async waitFor(seq: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.position >= seq) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      if (this.active) {
        // Woken by this runner's own progress; looked at again now and then, because the runner
        // may stop being the active one meanwhile (its lease taken by another instance).
        if (await this.waiters.wait(seq, Math.min(left, 500), () => this.position >= seq)) return true;
      } else {
        this.position = Math.max(this.position, await this.applier.readCheckpoint());
        if (this.position < seq) await sleep(Math.min(25, left));
      }
    }
  }

  /** Empties the read model and replays the whole log into it; resolves when caught up. */
  async rebuild(): Promise<void> {
    const wasRunning = this.running;
    await this.stop();
    await this.applier.reset();
    await this.deps.jsm.consumers.delete(this.deps.stream, this.durableName).catch(() => undefined);
    this.position = 0;
    this.persisted = 0;
    this.buffer.clear();
    if (wasRunning) this.start();
  }

  /** Applies everything in the log up to its current end, then resolves (offline rebuilds, tests). */
  async catchUp(timeoutMs = 600_000): Promise<number> {
    const target = await this.deps.store.lastSeq();
    if (!(await this.waitFor(target, timeoutMs))) throw new Error(`projection ${this.name} did not reach seq ${target} in ${timeoutMs} ms`);
    return target;
  }

  private async run(): Promise<void> {
    while (this.running) {
      while (this.running && !(await this.acquireLease())) await sleep(2_000);
      if (!this.running) return;
      this.active = true;
      await this.consume();
      this.active = false;
      // Lost the lease to another instance (or stopping): it consumes now; what we buffered is its.
      await this.messages?.close().catch(() => undefined);
      this.messages = null;
      this.buffer.clear();
    }
  }

  /** Applies from the consumer and the log until stopped or until another instance holds the lease. */
  private async consume(): Promise<void> {
    this.position = await this.retrying('read checkpoint', () => this.applier.readCheckpoint());
    this.persisted = this.position;
    this.persistedAt = Date.now();
    this.notify();
    await this.retrying('open consumer', async () => {
      this.messages = await openProjectionConsumer(this.deps.js, this.deps.jsm, this.deps.stream, this.durableName, (raw, msg) => {
        this.buffer.set(raw.seq, { raw, msg });
        this.wake?.();
      });
    });
    let idleSince = Date.now();
    let behind = false;
    while (this.running) {
      if (!(await this.leaseStillOurs())) {
        this.logger.warn('another instance holds the projection lease now; standing by');
        return;
      }
      if (this.buffer.size > 0) {
        if (this.buffer.size < 64 && Date.now() - this.persistedAt < 20) await sleep(LINGER_MS);
        // A failure here (Postgres or NATS gone at an unlucky moment) must not end the loop: the
        // projection would silently stop while its service looks healthy. Wait, then go on.
        await this.step().catch(async (error) => {
          this.logger.warn({ err: error }, 'cannot apply now; retrying');
          await sleep(500);
        });
        if (!behind) idleSince = Date.now();
        continue;
      }
      if (!behind) {
        await new Promise<void>((r) => {
          this.wake = r;
          setTimeout(r, 250).unref();
        });
        this.wake = null;
        if (this.buffer.size > 0) continue;
        if (this.position > this.persisted && Date.now() >= this.persistRetryAt) await this.persistSkipped();
      }
      // Idle but behind the log's end: the consumer is holding back messages (e.g. unacked by a
      // predecessor that was killed, until their ack wait ends). Read them from the log directly.
      if (behind || Date.now() - idleSince > 1_000) {
        behind = await this.fillTail();
        if (!behind) idleSince = Date.now();
      }
    }
  }

  /**
   * The lease lives on its own Postgres connection, which a Postgres restart drops, and with it
   * the lock. Take it again; if another instance was quicker, it is the active one now. While
   * Postgres is down nobody can take it, so go on (applying fails and waits anyway).
   */
  private async leaseStillOurs(): Promise<boolean> {
    const lease = this.deps.lease;
    if (!lease || lease.held || Date.now() - this.leaseTriedAt < 2_000) return true;
    this.leaseTriedAt = Date.now();
    try {
      return await lease.tryAcquire();
    } catch {
      return true;
    }
  }

  private async acquireLease(): Promise<boolean> {
    if (!this.deps.lease) return true;
    try {
      return await this.deps.lease.tryAcquire();
    } catch (error) {
      this.logger.warn({ err: error }, 'cannot take the projection lease; retrying');
      return false;
    }
  }

  private async step(): Promise<void> {
    for (const [seq, entry] of this.buffer) {
      if (seq <= this.position) {
        entry.msg?.ack();
        this.buffer.delete(seq);
      }
    }
    if (this.buffer.size === 0) return;
    if (!this.buffer.has(this.position + 1)) {
      // A hole: the missing commit is in flight elsewhere or was given up on by the server. Read it.
      await sleep(50);
      if (!this.buffer.has(this.position + 1)) await this.fillGap(Math.min(...this.buffer.keys()) - 1);
      return;
    }
    const run: Raw[] = [];
    for (let seq = this.position + 1; run.length < (this.deps.batchSize ?? DEFAULT_BATCH) && this.buffer.has(seq); seq++) run.push(this.buffer.get(seq)!.raw);
    const items = await Promise.all(run.map((raw) => this.decode(raw)));
    const nothingToWrite = items.every((i) => i.commit === null);
    const applied = nothingToWrite && Date.now() - this.persistedAt < SKIP_PERSIST_MS ? run[run.length - 1]!.seq : await this.applyRun(items, run);
    if (applied < this.position) return this.rewind(applied);
    for (let seq = run[0]!.seq; seq <= applied; seq++) {
      this.buffer.get(seq)?.msg?.ack();
      this.buffer.delete(seq);
    }
    this.advance(applied);
  }

  /** Writes the checkpoint over the commits passed over since the last write. */
  private async persistSkipped(): Promise<void> {
    try {
      const stored = await this.apply([]);
      if (stored < this.position) this.rewind(stored);
    } catch (error) {
      // The store is away (a write would have found out too): try again in a while, quietly.
      this.persistRetryAt = Date.now() + 2_000;
      this.logger.debug({ err: error }, 'cannot record the checkpoint now; will try again');
    }
  }

  private async applyRun(items: BatchItem[], run: Raw[]): Promise<number> {
    try {
      return await this.apply(items);
    } catch (error) {
      if (error instanceof ApplyTimeout || !(await this.healthy())) {
        this.logger.warn({ err: error }, 'read model store is down; waiting');
        await this.waitUntilHealthy();
        return this.position;
      }
      // The store is fine, so one commit is at fault: apply one by one to isolate it.
      return this.applyOneByOne(items, run);
    }
  }

  private async applyOneByOne(items: BatchItem[], run: Raw[]): Promise<number> {
    let position = this.position;
    for (const [i, item] of items.entries()) {
      for (let attempt = 1; ; attempt++) {
        try {
          position = await this.apply([item]);
          break;
        } catch (error) {
          // Not the commit's fault: go back to the loop, which waits and tries again.
          if (error instanceof ApplyTimeout || !(await this.healthy())) return position;
          if (attempt < MAX_ATTEMPTS_PER_COMMIT) {
            await sleep(100 * attempt);
            continue;
          }
          this.logger.error({ err: error, seq: item.seq }, 'commit cannot be applied; dead-lettering it');
          await this.sendToDeadLetters(run[i]!, `apply failed: ${(error as Error).message}`);
          position = await this.apply([{ seq: item.seq, commit: null }]);
          break;
        }
      }
    }
    return position;
  }

  private async decode(raw: Raw): Promise<BatchItem> {
    // `<prefix>.evt.<type>.<id>`: a commit of a type the read model ignores is not even parsed.
    const types = this.applier.aggregateTypes;
    if (types && !types.includes(raw.subject.split('.')[2] ?? '')) return { seq: raw.seq, commit: null };
    try {
      return { seq: raw.seq, commit: decodeCommit(raw, this.deps.upcasters) };
    } catch (error) {
      if (!(error instanceof PoisonCommitError)) throw error;
      this.logger.warn({ seq: raw.seq, reason: error.message }, 'poison message on the log; dead-lettering it');
      await this.sendToDeadLetters(raw, error.message);
      return { seq: raw.seq, commit: null };
    }
  }

  private async sendToDeadLetters(raw: Raw, reason: string): Promise<void> {
    await this.retrying('dead-letter', () => deadLetter(this.deps.js, this.deps.subjects, this.durableName, raw, reason));
    this.stats.deadLettered++;
  }

  /** Reads commits position+1..upTo straight from the log into the buffer. */
  private async fillGap(upTo: number): Promise<void> {
    this.stats.gapFills++;
    for (let seq = this.position + 1; seq <= upTo && seq <= this.position + DEFAULT_BATCH; seq++) {
      const msg = await this.retrying('read gap', () => this.deps.jsm.streams.getMessage(this.deps.stream, { seq }).catch(() => null));
      if (!msg) return;
      this.buffer.set(seq, { raw: { seq, subject: msg.subject, data: msg.data, time: msg.time.toISOString() } });
    }
  }

  /** When idle but behind the log's end, reads the next stretch; true if it found any. */
  private async fillTail(): Promise<boolean> {
    const last = await this.deps.store.lastSeq().catch(() => this.position);
    if (last <= this.position) return false;
    await this.fillGap(last);
    return true;
  }

  /**
   * The store's checkpoint is behind what this runner applied: the store lost commits it had
   * acknowledged (a Postgres crash under `synchronous_commit = off`, a Redis restart without
   * persistence). Trusting our own position would stall the projection for good: every apply
   * would find a gap before the first item. Go back to the store's position and replay the
   * missing stretch from the log (the consumer acked it already, so the gap filler reads it).
   */
  private rewind(position: number): void {
    this.logger.warn({ from: this.position, to: position }, 'read model store lost applied commits; replaying them from the log');
    this.stats.rewinds++;
    this.position = position;
    this.persisted = position;
  }

  private advance(position: number): void {
    if (position <= this.position) return;
    this.stats.applied += position - this.position;
    this.position = position;
    this.notify();
    // Other instances (and monitors) learn the new position without polling the read model.
    this.deps.nc?.publish(this.deps.subjects.checkpoint(this.name), String(position));
  }

  private notify(): void {
    this.waiters.notify(this.position);
  }

  private async waitUntilHealthy(): Promise<void> {
    const since = Date.now();
    for (let delay = 250, n = 1; this.running && !(await this.healthy()); delay = Math.min(delay * 2, 5_000), n++) {
      // Keep the in-flight messages ours while we wait, so they are not redelivered meanwhile.
      for (const entry of this.buffer.values()) entry.msg?.working();
      // A wait that never ends must show in the logs, not look like an idle projection.
      if (n % 6 === 0) this.logger.warn({ waitingMs: Date.now() - since, position: this.position }, 'read model store still unavailable; waiting');
      await sleep(delay);
    }
  }

  /**
   * One transaction, bounded. Giving up on a stuck one is safe: the checkpoint row it locked is
   * freed when Postgres ends the idle transaction (idle_in_transaction_session_timeout, set by
   * @orch/database), and a late commit of it only makes the retry skip what it already applied.
   */
  private async apply(items: BatchItem[]): Promise<number> {
    const ms = this.deps.applyTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ApplyTimeout(ms)), ms);
    });
    // Commits passed over since the last write go with this one (see SKIP_PERSIST_MS).
    const skip = this.position > this.persisted ? { from: this.persisted, to: this.position } : undefined;
    try {
      const stored = await Promise.race([this.applier.applyBatch(items, skip, this.persisted), timeout]);
      this.persisted = stored;
      this.persistedAt = Date.now();
      return stored;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The store's health, bounded: a check that hangs counts as down instead of stopping the loop. */
  private healthy(): Promise<boolean> {
    return Promise.race([this.applier.healthy().catch(() => false), new Promise<boolean>((r) => setTimeout(() => r(false), 5_000).unref())]);
  }

  private async retrying<T>(what: string, fn: () => Promise<T>): Promise<T> {
    for (let delay = 250; ; delay = Math.min(delay * 2, 5_000)) {
      try {
        return await fn();
      } catch (error) {
        if (!this.running) throw error;
        this.logger.warn({ err: error }, `cannot ${what}; retrying in ${delay} ms`);
        await sleep(delay);
      }
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
