import { AckPolicy, DeliverPolicy, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';

const SECOND = 1_000_000_000; // JetStream durations are nanoseconds

/** A message as the runner keeps it: enough to decode, dead-letter and apply it. */
export interface RawCommit {
  seq: number;
  subject: string;
  data: Uint8Array;
  time: string;
}

/**
 * The durable pull consumer of one projection, created if missing. Unfiltered on purpose: every
 * stream sequence reaches the projection, which is what lets it require seq = checkpoint + 1.
 * Explicit acks; a message not acked is redelivered after a backoff, a finite number of times
 * (the runner then reads it from the log itself, so nothing depends on redelivery).
 */
export async function openProjectionConsumer(
  js: JetStreamClient,
  jsm: JetStreamManager,
  stream: string,
  durableName: string,
  onMessage: (raw: RawCommit, msg: JsMsg) => void,
): Promise<ConsumerMessages> {
  try {
    await jsm.consumers.info(stream, durableName);
  } catch {
    await jsm.consumers.add(stream, {
      durable_name: durableName,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      max_deliver: 20,
      backoff: [60 * SECOND, 120 * SECOND, 300 * SECOND],
      max_ack_pending: 2_000,
    });
  }
  const consumer = await js.consumers.get(stream, durableName);
  return consumer.consume({
    max_messages: 1_000,
    callback: (msg) => {
      const time = new Date(Math.floor(msg.info.timestampNanos / 1e6)).toISOString();
      onMessage({ seq: msg.seq, subject: msg.subject, data: msg.data, time }, msg);
    },
  });
}
