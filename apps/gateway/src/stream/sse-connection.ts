import type { ServerResponse } from 'node:http';
import { DeliverPolicy } from '@nats-io/jetstream';
import { withoutPrivateFields, type EventEnvelope, type StoredCommit } from '@orch/contracts';
import { decodeCommit, PoisonCommitError } from '@orch/event-store';
import type { EventHub } from './event-hub';
import { eventId, type Cursor } from './stream-filter';

export interface SseOptions {
  stream: string;
  heartbeatMs: number;
  maxBufferBytes: number;
  filter: (e: EventEnvelope) => boolean;
  onDrop: (reason: string) => void;
}

/**
 * One client of `GET /events/stream`. It subscribes to the hub first (so nothing appended from
 * then on is missed), replays the log from its cursor up to the hub's position with an ordered
 * consumer of its own, then goes live; commits at or before the cursor are never written twice.
 *
 * Replay waits for the socket to drain, so a client reading history sets its own pace. Live, the
 * hub cannot wait for anyone: a client whose unsent backlog passes `maxBufferBytes` is dropped
 * (it reconnects with Last-Event-ID and replays what it missed), so a slow reader never slows
 * the others.
 */
export class SseConnection {
  private cursor: Cursor;
  private live = false;
  private closed = false;
  private readonly backlog: StoredCommit[] = [];
  private heartbeat?: NodeJS.Timeout;
  private unsubscribe?: () => void;

  constructor(
    private readonly res: ServerResponse,
    private readonly hub: EventHub,
    start: Cursor | undefined,
    private readonly opts: SseOptions,
  ) {
    this.cursor = start ?? { seq: -1 };
    res.on('close', () => this.close());
  }

  async run(): Promise<void> {
    const { from, unsubscribe } = await this.hub.subscribe({ commit: (c) => this.onLive(c), close: () => this.close() });
    this.unsubscribe = unsubscribe;
    if (this.closed) return unsubscribe();
    if (this.cursor.seq < 0) this.cursor = { seq: from };
    this.res.write(`retry: 2000\n: connected, live after ${this.cursor.seq}\n\n`);
    this.heartbeat = setInterval(() => this.write(': heartbeat\n\n'), this.opts.heartbeatMs);
    await this.replay(from);
    for (const commit of this.backlog.splice(0)) this.send(commit);
    this.live = true;
  }

  private onLive(commit: StoredCommit): void {
    if (this.closed) return;
    if (!this.live) this.backlog.push(commit);
    else this.send(commit);
  }

  /** Reads the log from the cursor through `to` (the hub's position when this client subscribed). */
  private async replay(to: number): Promise<void> {
    const startSeq = this.cursor.index === undefined ? this.cursor.seq + 1 : this.cursor.seq;
    if (startSeq > to) return;
    const consumer = await this.hub.jetstream().consumers.get(this.opts.stream, { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: Math.max(1, startSeq) });
    const messages = await consumer.consume({ max_messages: 256 });
    try {
      for await (const msg of messages) {
        if (this.closed) break;
        try {
          const time = new Date(Math.floor(msg.info.timestampNanos / 1e6)).toISOString();
          if (!this.send(decodeCommit({ seq: msg.seq, subject: msg.subject, data: msg.data, time }))) await this.drained();
        } catch (error) {
          if (!(error instanceof PoisonCommitError)) throw error;
        }
        if (msg.seq >= to) break;
      }
    } finally {
      await messages.close().catch(() => undefined);
    }
  }

  /** Writes the commit's matching events not yet sent; false when the socket wants a pause. */
  private send(commit: StoredCommit): boolean {
    if (this.closed || commit.seq < this.cursor.seq) return true;
    const skipThrough = commit.seq === this.cursor.seq ? (this.cursor.index ?? Infinity) : -1;
    let chunk = '';
    commit.events.forEach((e, i) => {
      if (i <= skipThrough || !this.opts.filter(e)) return;
      const body = { seq: commit.seq, index: i, id: e.id, type: e.type, aggregateType: e.aggregateType, aggregateId: e.aggregateId, version: e.version, occurredAt: e.occurredAt, actor: e.actor, correlationId: e.correlationId, data: withoutPrivateFields(e.type, e.data) };
      chunk += `id: ${eventId(commit.seq, i, commit.events.length)}\nevent: ${e.type}\ndata: ${JSON.stringify(body)}\n\n`;
    });
    this.cursor = { seq: commit.seq };
    return chunk ? this.write(chunk) : true;
  }

  private write(chunk: string): boolean {
    if (this.closed) return true;
    const ok = this.res.write(chunk);
    if (this.live && this.res.writableLength > this.opts.maxBufferBytes) {
      this.opts.onDrop(`unsent backlog over ${this.opts.maxBufferBytes} bytes`);
      this.res.destroy();
      this.close();
    }
    return ok;
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.once('drain', done);
      this.res.once('close', done);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    this.unsubscribe?.();
    if (!this.res.destroyed) this.res.end();
  }
}
