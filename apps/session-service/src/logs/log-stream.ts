import { DiscardPolicy, RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig, type StreamInfo } from '@nats-io/jetstream';
import { SessionLogSubjects, type Subjects } from '@orch/contracts';

export interface SessionLogStreamOptions {
  /** `<NATS_STREAM>_LOGS`. */
  stream: string;
  subjects: Subjects;
  replicas: number;
  maxAgeMs: number;
  maxBytes: number;
  /** How long a retried append (same Idempotency-Key) is recognised; capped by the age limit. */
  duplicateWindowMs: number;
}

/** The logs stream exists with settings that cannot be changed in place (retention, storage). */
export class SessionLogStreamError extends Error {
  constructor(stream: string, readonly problems: string[]) {
    super(`Stream ${stream} exists with settings the session logs cannot use; delete or fix it by hand:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SessionLogStreamError';
  }
}

const ns = (ms: number) => ms * 1_000_000; // JetStream durations are nanoseconds
/** NATS's default largest message; chunks are cut well below it (see chunk.ts). */
const MAX_MESSAGE_BYTES = 1024 * 1024;

/**
 * Unlike the event log, this stream forgets on purpose: limits-based retention with
 * `discard: old`, so past the age or size limit the oldest lines make room for new ones.
 */
export function desiredLogStream(opts: SessionLogStreamOptions): Partial<StreamConfig> & { name: string } {
  return {
    name: opts.stream,
    subjects: [SessionLogSubjects.all(opts.subjects)],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_age: ns(opts.maxAgeMs),
    max_bytes: opts.maxBytes,
    max_msgs: -1,
    max_msgs_per_subject: -1,
    max_msg_size: MAX_MESSAGE_BYTES,
    allow_direct: true,
    num_replicas: opts.replicas,
    duplicate_window: ns(Math.min(opts.duplicateWindowMs, opts.maxAgeMs)),
  };
}

/** What cannot be changed on an existing stream. Empty means usable. */
export function unfitLogStream(config: StreamConfig, opts: SessionLogStreamOptions): string[] {
  const problems: string[] = [];
  if (config.storage !== StorageType.File) problems.push(`storage is ${config.storage}, must be file`);
  if (config.retention !== RetentionPolicy.Limits) problems.push(`retention is ${config.retention}, must be limits`);
  if (!config.subjects?.includes(SessionLogSubjects.all(opts.subjects))) problems.push(`subjects are ${JSON.stringify(config.subjects)}, must include ${SessionLogSubjects.all(opts.subjects)}`);
  return problems;
}

/**
 * Creates the session logs stream, or brings an existing one to the configured limits,
 * idempotently (several instances start at once: the loser of a create race checks and updates).
 */
export async function ensureSessionLogStream(jsm: JetStreamManager, opts: SessionLogStreamOptions): Promise<StreamInfo> {
  const want = desiredLogStream(opts);
  const existing = await info(jsm, opts.stream);
  if (!existing) {
    try {
      return await jsm.streams.add(want);
    } catch (error) {
      if (!/already in use|exists/i.test((error as Error).message)) throw error;
    }
  }
  const current = existing ?? (await jsm.streams.info(opts.stream));
  const problems = unfitLogStream(current.config, opts);
  if (problems.length > 0) throw new SessionLogStreamError(opts.stream, problems);
  const c = current.config;
  const drift =
    c.max_age !== want.max_age ||
    c.max_bytes !== want.max_bytes ||
    c.discard !== want.discard ||
    c.num_replicas !== want.num_replicas ||
    c.duplicate_window !== want.duplicate_window ||
    c.max_msg_size !== want.max_msg_size ||
    !c.allow_direct;
  if (!drift) return current;
  const { name: _name, storage: _storage, retention: _retention, ...changes } = want;
  return jsm.streams.update(opts.stream, changes);
}

async function info(jsm: JetStreamManager, stream: string): Promise<StreamInfo | null> {
  try {
    return await jsm.streams.info(stream);
  } catch (error) {
    if ((error as Error).name !== 'StreamNotFoundError') throw error;
    return null;
  }
}
