import { headers as natsHeaders } from '@nats-io/transport-node';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { Subjects } from '@orch/contracts';

export const DeadLetterHeaders = {
  consumer: 'Orch-Dlq-Consumer',
  sourceSeq: 'Orch-Dlq-Source-Seq',
  sourceSubject: 'Orch-Dlq-Source-Subject',
  reason: 'Orch-Dlq-Reason',
} as const;

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
  await js.publish(subjects.deadLetters(consumer), source.data.slice(0, 8 * 1024 * 1024), { msgID: `${consumer}-${source.seq}`, headers: h });
}
