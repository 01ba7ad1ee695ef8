import { DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { StoredCommit } from '@orch/contracts';
import { decodeCommit, PoisonCommitError } from '@orch/event-store';

export interface CommitListener {
  commit(commit: StoredCommit): void;
  /** The gateway is shutting down: end the connection so the server can close. */
  close(): void;
}

/**
 * One live tail of the event log per gateway, fanned out to every SSE client: 200 clients cost
 * one JetStream consumer, not 200. It starts with the first client and follows the stream with an
 * ordered consumer (which recreates itself on a gap or a reconnect). Unreadable messages are
 * skipped and counted: a client must never see garbage, and garbage must never stop the tail.
 */
export class EventHub {
  private readonly listeners = new Set<CommitListener>();
  private started?: Promise<void>;
  private messages?: ConsumerMessages;
  private js?: JetStreamClient;
  /** Stream sequence of the last message the tail has seen (delivered or skipped). */
  position = 0;
  skipped = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly stream: string,
    private readonly logger: Logger,
  ) {}

  get clients(): number {
    return this.listeners.size;
  }

  /** Subscribes, and answers the position the listener is live from: every later commit reaches it. */
  async subscribe(listener: CommitListener): Promise<{ from: number; unsubscribe: () => void }> {
    await (this.started ??= this.start());
    this.listeners.add(listener);
    return { from: this.position, unsubscribe: () => this.listeners.delete(listener) };
  }

  jetstream(): JetStreamClient {
    return (this.js ??= jetstream(this.nc));
  }

  private async start(): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    this.position = (await jsm.streams.info(this.stream)).state.last_seq;
    const consumer = await this.jetstream().consumers.get(this.stream, { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: this.position + 1 });
    this.messages = await consumer.consume({
      callback: (msg) => {
        this.position = msg.seq;
        let commit: StoredCommit;
        try {
          commit = decodeCommit({ seq: msg.seq, subject: msg.subject, data: msg.data, time: new Date(Math.floor(msg.info.timestampNanos / 1e6)).toISOString() });
        } catch (error) {
          if (!(error instanceof PoisonCommitError)) throw error;
          this.skipped++;
          this.logger.warn({ seq: msg.seq, reason: error.message }, 'event stream: skipped an unreadable message');
          return;
        }
        for (const listener of this.listeners) listener.commit(commit);
      },
    });
  }

  onModuleDestroy(): Promise<void> {
    return this.close();
  }

  async close(): Promise<void> {
    for (const listener of [...this.listeners]) listener.close();
    this.listeners.clear();
    await this.started?.catch(() => undefined);
    await this.messages?.close().catch(() => undefined);
  }
}
