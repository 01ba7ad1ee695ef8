import { AckPolicy, DeliverPolicy, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import type { StoredCommit, Subjects } from '@orch/contracts';
import { decodeCommit, PoisonCommitError } from '@orch/event-store';
import { deadLetter } from '@orch/projections';

const SECOND = 1_000_000_000;

export interface WorkConsumerOptions {
  js: JetStreamClient;
  jsm: JetStreamManager;
  stream: string;
  subjects: Subjects;
  logger: Logger;
  durable: string;
  /** One aggregate type's subjects (`<prefix>.evt.<type>.>`); NATS 2.9 takes one filter. */
  filter: string;
  /** Commits of one aggregate are handled one at a time; different aggregates in parallel up to this. */
  concurrency: number;
  handle: (commit: StoredCommit) => Promise<void>;
}

/**
 * A durable pull consumer that every instance shares: JetStream hands each commit to one of them,
 * so instances split the work. At-least-once with explicit acks; a failure is retried after a
 * short delay, a commit that cannot be decoded goes to the dead letters and never stalls the rest.
 */
export class WorkConsumer {
  private messages: ConsumerMessages | null = null;
  private readonly chains = new Map<string, Promise<void>>();
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly o: WorkConsumerOptions) {}

  async start(): Promise<void> {
    const { jsm, js, stream, durable, filter } = this.o;
    try {
      await jsm.consumers.info(stream, durable);
    } catch {
      await jsm.consumers
        .add(stream, {
          durable_name: durable,
          filter_subject: filter,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          ack_wait: 30 * SECOND,
          max_deliver: 20,
          max_ack_pending: 5_000,
        })
        .catch(async (error) => {
          // Another instance created it at the same moment.
          if (!/already in use|exists/i.test((error as Error).message)) throw error;
        });
    }
    const consumer = await js.consumers.get(stream, durable);
    this.messages = await consumer.consume({ max_messages: 256, callback: (msg) => void this.dispatch(msg) });
  }

  async stop(): Promise<void> {
    await this.messages?.close().catch(() => undefined);
    await Promise.all([...this.chains.values()]);
  }

  private async dispatch(msg: JsMsg): Promise<void> {
    const key = msg.subject;
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.run(msg));
    this.chains.set(key, next);
    await next;
    if (this.chains.get(key) === next) this.chains.delete(key);
  }

  private async run(msg: JsMsg): Promise<void> {
    if (this.inFlight >= this.o.concurrency) await new Promise<void>((r) => this.waiting.push(r));
    this.inFlight++;
    try {
      let commit: StoredCommit;
      try {
        commit = decodeCommit({ seq: msg.seq, subject: msg.subject, data: msg.data });
      } catch (error) {
        if (!(error instanceof PoisonCommitError)) throw error;
        await deadLetter(this.o.js, this.o.subjects, this.o.durable, { seq: msg.seq, subject: msg.subject, data: msg.data }, error.message);
        msg.ack();
        return;
      }
      await this.o.handle(commit);
      msg.ack();
    } catch (error) {
      this.o.logger.warn({ err: error, seq: msg.seq, consumer: this.o.durable }, 'work item failed; will retry');
      msg.nak(Math.min(500 * msg.info.deliveryCount, 5_000));
    } finally {
      this.inFlight--;
      this.waiting.shift()?.();
    }
  }
}
