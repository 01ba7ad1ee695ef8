import { headers as natsHeaders } from '@nats-io/transport-node';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { Subjects } from '@orch/contracts';

export const DeadLetterHeaders = {
  consumer: 'Orch-Dlq-Consumer',
  sourceSeq: 'Orch-Dlq-Source-Seq',
  sourceSubject: 'Orch-Dlq-Source-Subject',
  reason: 'Orch-Dlq-Reason',
  /** Set when the body was cut to fit: the original's size in bytes (the original stays in the log). */
  truncated: 'Orch-Dlq-Truncated-From',
} as const;

/** Room for the dead-letter headers and the JetStream envelope within the server's max_payload. */
const HEADER_ROOM = 4 * 1024;

/**
 * Copies a message that a consumer cannot use to `<prefix>.dlq.<consumer>`, with why. The
 * message id makes a second copy of the same failure (after a crash) a no-op.
 */
export async function deadLetter(
  js: JetStreamClient,
  subjects: Subjects,
  consumer: string,
  source: { seq: number; subject: string; data: Uint8Array },
  reason: string,
): Promise<void> {
  const h = natsHeaders();
  h.set(DeadLetterHeaders.consumer, consumer);
  h.set(DeadLetterHeaders.sourceSeq, String(source.seq));
  h.set(DeadLetterHeaders.sourceSubject, source.subject);
  h.set(DeadLetterHeaders.reason, reason.replace(/[\r\n]+/g, ' ').slice(0, 1000));
  // A message as large as the server allows cannot be copied whole with headers added: the
  // publish would fail every time and the consumer would stall on it. Cut it, and say so.
  const room = maxPayloadOf(js) - HEADER_ROOM;
  let body = source.data;
  if (body.length > room) {
    h.set(DeadLetterHeaders.truncated, String(body.length));
    body = body.slice(0, room);
  }
  await js.publish(subjects.deadLetters(consumer), body, { msgID: `${consumer}-${source.seq}`, headers: h });
}

/** The connected server's max_payload (1 MiB by default); the client refuses anything larger. */
function maxPayloadOf(js: JetStreamClient): number {
  const nc = (js as unknown as { nc?: { info?: { max_payload?: number } } }).nc;
  return nc?.info?.max_payload ?? 1024 * 1024;
}
