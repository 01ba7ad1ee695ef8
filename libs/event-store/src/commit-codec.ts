import { CommitBody, UpcasterRegistry, type StoredCommit } from '@orch/contracts';

/** A message on the stream that is not a valid commit. It is dead-lettered, never retried. */
export class PoisonCommitError extends Error {
  constructor(readonly seq: number, reason: string) {
    super(`commit at seq ${seq} is unreadable: ${reason}`);
    this.name = 'PoisonCommitError';
  }
}

const decoder = new TextDecoder();

/** Parses and upcasts a raw commit. Throws PoisonCommitError on anything malformed. */
export function decodeCommit(
  raw: { seq: number; subject: string; data: Uint8Array; time?: string },
  upcasters?: UpcasterRegistry,
): StoredCommit {
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(raw.data));
  } catch {
    throw new PoisonCommitError(raw.seq, 'body is not JSON');
  }
  const parsed = CommitBody.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PoisonCommitError(raw.seq, `body is not a commit (${issue?.path.join('.') || 'root'}: ${issue?.message})`);
  }
  const events = upcasters ? parsed.data.events.map((e) => upcasters.upcast(e)) : parsed.data.events;
  return { seq: raw.seq, subject: raw.subject, time: raw.time ?? events[0]!.occurredAt, events };
}

export function encodeCommit(body: CommitBody): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(body));
}
