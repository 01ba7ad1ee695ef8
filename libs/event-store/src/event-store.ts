import { headers as natsHeaders } from '@nats-io/transport-node';
import { JetStreamApiCodes, JetStreamApiError, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { Headers, type CommitBody, type StoredCommit, type UpcasterRegistry } from '@orch/contracts';
import { UnavailableError } from '@orch/errors';
import { sendSoon } from '@orch/messaging';
import { decodeCommit, encodeCommit } from './commit-codec';

export interface AppendOptions {
  /** Stream sequence of the subject's last message as loaded; 0 for a new aggregate. */
  expectedLastSubjectSeq: number;
  /** Becomes `Nats-Msg-Id`: a retried command is stored once. */
  commandId: string;
  correlationId: string;
}

export interface AppendResult {
  seq: number;
  /** True when the stream had this command id already (a retry): nothing new was written. */
  duplicate: boolean;
}

/** The subject's last sequence was not the expected one: someone else appended first. */
export class WrongExpectedSequence extends Error {
  constructor(readonly subject: string, readonly expected: number) {
    super(`${subject} moved past seq ${expected}`);
    this.name = 'WrongExpectedSequence';
  }
}

/**
 * The append-only log on one JetStream stream: one subject per aggregate, one message per
 * accepted command. Reads go to the stream leader (`STREAM.MSG.GET`), never to a replica that
 * may lag, so a reload after a conflict sees the write that beat us.
 */
export class EventStore {
  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    readonly stream: string,
    private readonly upcasters?: UpcasterRegistry,
  ) {}

  async append(subject: string, body: CommitBody, opts: AppendOptions): Promise<AppendResult> {
    const h = natsHeaders();
    h.set(Headers.correlationId, opts.correlationId);
    try {
      // With the other sends of this event-loop turn: one socket write for all (see sendSoon).
      const ack = await sendSoon(() => this.js.publish(subject, encodeCommit(body), {
        msgID: opts.commandId,
        expect: { streamName: this.stream, lastSubjectSequence: opts.expectedLastSubjectSeq },
        headers: h,
        timeout: 5_000,
      }));
      return { seq: ack.seq, duplicate: ack.duplicate };
    } catch (error) {
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamWrongLastSequence) {
        throw new WrongExpectedSequence(subject, opts.expectedLastSubjectSeq);
      }
      throw unavailable(error, 'append to the event log');
    }
  }

  /** Every commit of one subject after `afterSeq`, in order. */
  async readSubject(subject: string, afterSeq = 0): Promise<StoredCommit[]> {
    const commits: StoredCommit[] = [];
    for (let seq = afterSeq + 1; ; ) {
      const msg = await this.getMessage({ seq, next_by_subj: subject });
      if (!msg) return commits;
      commits.push(decodeCommit({ seq: msg.seq, subject: msg.subject, data: msg.data, time: msg.time.toISOString() }, this.upcasters));
      seq = msg.seq + 1;
    }
  }

  /** One commit by its stream sequence, or null when there is none. */
  async readCommit(seq: number): Promise<StoredCommit | null> {
    const msg = await this.getMessage({ seq });
    return msg && decodeCommit({ seq: msg.seq, subject: msg.subject, data: msg.data, time: msg.time.toISOString() }, this.upcasters);
  }

  /** The stream's last sequence: the global event counter. */
  async lastSeq(): Promise<number> {
    const info = await this.jsm.streams.info(this.stream);
    return info.state.last_seq;
  }

  private async getMessage(query: { seq: number; next_by_subj?: string }) {
    try {
      // Not batched (see append): reads of a history go one after another, and each would wait a turn.
      return await this.jsm.streams.getMessage(this.stream, query as never);
    } catch (error) {
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.NoMessageFound) return null;
      throw unavailable(error, 'read the event log');
    }
  }
}

function unavailable(error: unknown, what: string): Error {
  if (error instanceof JetStreamApiError) return error;
  return new UnavailableError('EVENT_LOG.UNAVAILABLE', `Could not ${what}: ${(error as Error).message}`);
}
