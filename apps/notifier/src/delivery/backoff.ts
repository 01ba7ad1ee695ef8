export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

/**
 * Delay before try `tries + 1`: exponential with full jitter (uniform in [base·2^(n-1)/2, base·2^(n-1)]),
 * capped; a `Retry-After` from the receiver wins when it asks for longer, within the cap.
 */
export function retryDelay(tries: number, opts: BackoffOptions, retryAfterMs: number | null = null, random: () => number = Math.random): number {
  const ceiling = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, tries - 1));
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  return Math.round(Math.min(opts.maxMs, Math.max(jittered, retryAfterMs ?? 0)));
}

/** `Retry-After` as seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return null;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
