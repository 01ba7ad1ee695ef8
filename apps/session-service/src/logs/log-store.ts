import { headers as natsHeaders } from '@nats-io/transport-node';
import { DeliverPolicy, type JetStreamClient, type JsMsg, type OrderedConsumerOptions } from '@nats-io/jetstream';
import { SessionLogSubjects, type SessionLogSince, type Subjects } from '@orch/contracts';
import { UnavailableError } from '@orch/errors';
import { COUNTS_HEADER, decodeChunk, decodeCounts, encodeChunks, encodeCounts, type ChunkCounts, type StoredLine } from './chunk';

/** What an append stored: each chunk's sequence and line count, in order. */
export interface AppendedChunk {
  seq: number;
  lines: number;
  duplicate: boolean;
}

export interface ScannedChunk {
  seq: number;
  receivedAt: string;
  /** null on a headers-only scan, or when the message is not a chunk. */
  lines: StoredLine[] | null;
  counts: ChunkCounts | null;
}

/** Chunks per pull: at most 16 × 512 KiB in memory at once. */
const FETCH_CHUNKS = 16;

/**
 * The session logs on their own JetStream stream: appends are chunks on the session's subject;
 * reads are subject-filtered ordered consumers that stop at what was stored when they began,
 * so a read never waits for lines that are still to come.
 */
export class SessionLogStore {
  constructor(
    private readonly js: JetStreamClient,
    readonly stream: string,
    private readonly subjects: Subjects,
  ) {}

  subjectOf(sessionKey: string): string {
    return SessionLogSubjects.of(this.subjects, sessionKey);
  }

  /**
   * Stores the lines in order. Each chunk's `Nats-Msg-Id` derives from the command id, so a
   * retried request (same Idempotency-Key, within the duplicate window) is stored once.
   */
  async append(sessionKey: string, lines: readonly StoredLine[], opts: { commandId: string; actorId: string }): Promise<AppendedChunk[]> {
    const subject = this.subjectOf(sessionKey);
    const out: AppendedChunk[] = [];
    const chunks = encodeChunks(lines);
    for (const [i, chunk] of chunks.entries()) {
      const h = natsHeaders();
      h.set(COUNTS_HEADER, encodeCounts(chunk.counts));
      h.set('Orch-Log-Actor', opts.actorId);
      try {
        const ack = await this.js.publish(subject, chunk.data, { msgID: `${opts.commandId}:${i}`, expect: { streamName: this.stream }, headers: h, timeout: 5_000 });
        out.push({ seq: ack.seq, lines: chunk.lines, duplicate: ack.duplicate });
      } catch (error) {
        throw new UnavailableError('SESSION_LOGS.UNAVAILABLE', `Could not store the lines: ${(error as Error).message}`);
      }
    }
    return out;
  }

  /**
   * Visits the session's chunks in order from `from` (all when null) until `visit` answers false
   * or what was stored when the scan began has been read. `headersOnly` skips the bodies (stats).
   */
  async scan(sessionKey: string, from: SessionLogSince | null, visit: (chunk: ScannedChunk) => boolean, opts: { headersOnly?: boolean } = {}): Promise<void> {
    const consumer = await this.js.consumers
      .get(this.stream, { filter_subjects: this.subjectOf(sessionKey), headers_only: opts.headersOnly ?? false, ...startOf(from) })
      .catch((error: Error) => {
        throw new UnavailableError('SESSION_LOGS.UNAVAILABLE', `Could not read the session logs: ${error.message}`);
      });
    try {
      let remaining = (await consumer.info()).num_pending;
      while (remaining > 0) {
        const batch = await consumer.fetch({ max_messages: Math.min(remaining, FETCH_CHUNKS), expires: 2_000 });
        let got = 0;
        for await (const msg of batch) {
          got++;
          // Lines appended after the scan began are left for the next read.
          remaining = Math.min(remaining - 1, msg.info.pending);
          if (!visit(chunkOf(msg, opts.headersOnly ?? false))) return;
          if (remaining <= 0) break;
        }
        if (got === 0) return; // the rest aged out while we read
      }
    } finally {
      await consumer.delete().catch(() => undefined);
    }
  }
}

function startOf(from: SessionLogSince | null): Partial<OrderedConsumerOptions> {
  if (from === null) return { deliver_policy: DeliverPolicy.All };
  if ('time' in from) return { deliver_policy: DeliverPolicy.StartTime, opt_start_time: from.time };
  // `seq:index` re-reads chunk `seq` (the lines after the index); a bare `seq` starts after it.
  return { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: from.index === null ? from.seq + 1 : Math.max(1, from.seq) };
}

function chunkOf(msg: JsMsg, headersOnly: boolean): ScannedChunk {
  return {
    seq: msg.seq,
    receivedAt: new Date(Math.floor(msg.info.timestampNanos / 1e6)).toISOString(),
    lines: headersOnly ? null : decodeChunk(msg.data),
    counts: decodeCounts(msg.headers?.get(COUNTS_HEADER)),
  };
}
