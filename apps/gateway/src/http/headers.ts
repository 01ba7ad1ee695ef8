import { createHash, randomUUID } from 'node:crypto';
import { ValidationError } from '@orch/errors';

/** Request headers the gateway reads, lower-case as Node gives them. */
export const RequestHeader = {
  idempotencyKey: 'idempotency-key',
  correlationId: 'x-correlation-id',
  minSeq: 'x-orch-min-seq',
  ifMatch: 'if-match',
  authorization: 'authorization',
} as const;

/** Response headers the gateway sets. */
export const ResponseHeader = {
  correlationId: 'X-Correlation-Id',
  seq: 'X-Orch-Seq',
  readSeq: 'X-Orch-Read-Seq',
  etag: 'ETag',
  serverTiming: 'Server-Timing',
} as const;

type HeaderValue = string | string[] | undefined;

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{1,128}$/;
// Correlation ids end up in logs and NATS headers: keep them short and free of control characters.
const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function single(name: string, value: HeaderValue): string | undefined {
  if (Array.isArray(value)) {
    if (value.length > 1) throw invalid(name, 'must be given once');
    return value[0];
  }
  return value;
}

function invalid(name: string, message: string): ValidationError {
  return new ValidationError('REQUEST.INVALID_HEADER', `Header ${name} ${message}`, [{ path: `headers.${name}`, message }]);
}

/**
 * The command id of a write: from `Idempotency-Key`, scoped to the caller's key so that two
 * clients choosing the same key never collide; a fresh uuid when there is none.
 */
export function commandIdFor(keyId: string, idempotencyKey: string | undefined): string {
  if (idempotencyKey === undefined) return randomUUID();
  return `idem-${createHash('sha256').update(`${keyId}\n${idempotencyKey}`).digest('hex').slice(0, 40)}`;
}

/** `Idempotency-Key` becomes the command id, so a retried write is appended once (`Nats-Msg-Id`). */
export function parseIdempotencyKey(value: HeaderValue): string | undefined {
  const raw = single('Idempotency-Key', value);
  if (raw === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(raw)) throw invalid('Idempotency-Key', 'must be 1-128 letters, digits, "_" or "-"');
  return raw;
}

/**
 * The caller's correlation id when it is usable, else a fresh one. An unusable one is replaced,
 * not refused: it is a diagnostic aid, and no request (least of all /health) should fail over it.
 */
export function parseCorrelationId(value: HeaderValue): { id: string; replaced: boolean } {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw === '') return { id: randomUUID(), replaced: false };
  if (!CORRELATION_ID.test(raw)) return { id: randomUUID(), replaced: true };
  return { id: raw, replaced: false };
}

/** `X-Orch-Min-Seq: N`: read-your-writes; the read waits until the read model has applied N. */
export function parseMinSeq(value: HeaderValue): number | undefined {
  const raw = single('X-Orch-Min-Seq', value)?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d{1,15}$/.test(raw)) throw invalid('X-Orch-Min-Seq', 'must be a non-negative integer (a stream sequence from X-Orch-Seq)');
  return Number(raw);
}

/**
 * `If-Match: "<version>"` (or a bare number) becomes the expected aggregate version. `*` means
 * "whatever is there" and sets no expectation. Weak tags are refused: a version is exact.
 */
export function parseIfMatch(value: HeaderValue): number | undefined {
  const raw = single('If-Match', value)?.trim();
  if (raw === undefined || raw === '' || raw === '*') return undefined;
  const match = /^(?:"(\d{1,15})"|(\d{1,15}))$/.exec(raw);
  if (!match) throw invalid('If-Match', 'must be the ETag of the resource, e.g. "3" (its version)');
  return Number(match[1] ?? match[2]);
}

/** The ETag of a versioned resource: its aggregate version, quoted. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/** `Authorization: Bearer <key>` → the key, or undefined when absent or not a bearer credential. */
export function parseBearer(value: HeaderValue): string | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  const match = raw ? /^Bearer[ ]+(\S+)\s*$/i.exec(raw) : null;
  return match?.[1];
}
