import {
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import { Subjects } from '@orch/contracts';

export interface EventStreamOptions {
  /** Stream name, `ORCH_EVENTS` in production. */
  stream: string;
  subjects: Subjects;
  replicas: number;
  duplicateWindowMs: number;
}

/** The event stream exists with settings that could lose or rewrite history. */
export class UnsafeStreamError extends Error {
  constructor(stream: string, readonly problems: string[]) {
    super(`Stream ${stream} exists with unsafe settings; fix them by hand (the log is never changed silently):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'UnsafeStreamError';
  }
}

const ms = (n: number) => n * 1_000_000; // JetStream durations are nanoseconds

/**
 * The settings that make the stream a log: keep everything, refuse new writes rather than
 * silently dropping old ones when a byte limit is hit, and allow no deletes or purges.
 */
function desired(opts: EventStreamOptions): Partial<StreamConfig> & { name: string } {
  return {
    name: opts.stream,
    subjects: [opts.subjects.allEvents],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.New,
    max_age: 0,
    max_msgs: -1,
    max_msgs_per_subject: -1,
    deny_delete: true,
    deny_purge: true,
    allow_direct: true,
    num_replicas: opts.replicas,
    duplicate_window: ms(opts.duplicateWindowMs),
  };
}

/** Lists what makes an existing stream unfit to be the log. Empty means safe. */
export function unsafeSettings(config: StreamConfig, opts: EventStreamOptions): string[] {
  const problems: string[] = [];
  if (config.storage !== StorageType.File) problems.push(`storage is ${config.storage}, must be file`);
  if (config.retention !== RetentionPolicy.Limits) problems.push(`retention is ${config.retention}, must be limits`);
  if (config.discard !== DiscardPolicy.New) problems.push(`discard is ${config.discard}, must be new (old deletes history when a limit is hit)`);
  if (config.max_age > 0) problems.push(`max_age is ${config.max_age}ns, must be 0 (no age limit)`);
  if (config.max_msgs > 0) problems.push(`max_msgs is ${config.max_msgs}, must be -1`);
  if (config.max_msgs_per_subject > 0) problems.push(`max_msgs_per_subject is ${config.max_msgs_per_subject}, must be -1`);
  if (!config.deny_delete) problems.push('deny_delete is off, must be on');
  if (!config.deny_purge) problems.push('deny_purge is off, must be on');
  if (!config.subjects?.includes(opts.subjects.allEvents)) problems.push(`subjects are ${JSON.stringify(config.subjects)}, must include ${opts.subjects.allEvents}`);
  return problems;
}

/**
 * Creates the event stream, or checks and updates it, idempotently. Settings that are safe to
 * change (duplicate window, replicas, direct get) are updated; unsafe ones stop the start-up.
 */
export async function ensureEventStream(jsm: JetStreamManager, opts: EventStreamOptions): Promise<StreamInfo> {
  const want = desired(opts);
  let info: StreamInfo;
  try {
    info = await jsm.streams.info(opts.stream);
  } catch (error) {
    if ((error as Error).name !== 'StreamNotFoundError') throw error;
    return jsm.streams.add(want);
  }
  const problems = unsafeSettings(info.config, opts);
  if (problems.length > 0) throw new UnsafeStreamError(opts.stream, problems);
  const drift =
    info.config.duplicate_window !== want.duplicate_window ||
    info.config.num_replicas !== want.num_replicas ||
    !info.config.allow_direct;
  if (!drift) return info;
  return jsm.streams.update(opts.stream, {
    duplicate_window: want.duplicate_window,
    num_replicas: want.num_replicas,
    allow_direct: true,
  });
}

/**
 * Dead letters live in their own stream, so that a poison message is kept for inspection
 * without ever entering the log.
 */
export async function ensureDeadLetterStream(jsm: JetStreamManager, opts: EventStreamOptions): Promise<StreamInfo> {
  const name = `${opts.stream}_DLQ`;
  const config: Partial<StreamConfig> & { name: string } = {
    name,
    subjects: [opts.subjects.allDeadLetters],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_age: ms(30 * 24 * 3600 * 1000),
    max_msg_size: 16 * 1024 * 1024,
    num_replicas: opts.replicas,
  };
  try {
    await jsm.streams.info(name);
    return await jsm.streams.update(name, config);
  } catch (error) {
    if ((error as Error).name !== 'StreamNotFoundError') throw error;
    return jsm.streams.add(config);
  }
}
