import { parseRetryAfter, retryDelay } from './backoff';

describe('retry backoff', () => {
  const opts = { baseMs: 1000, maxMs: 60_000 };

  it('doubles per try, with jitter in the upper half', () => {
    expect(retryDelay(1, opts, null, () => 0)).toBe(500);
    expect(retryDelay(1, opts, null, () => 1)).toBe(1000);
    expect(retryDelay(3, opts, null, () => 0)).toBe(2000);
    expect(retryDelay(3, opts, null, () => 1)).toBe(4000);
  });

  it('is capped', () => expect(retryDelay(30, opts, null, () => 1)).toBe(60_000));

  it('waits at least what Retry-After asks, within the cap', () => {
    expect(retryDelay(1, opts, 30_000, () => 0)).toBe(30_000);
    expect(retryDelay(1, opts, 10 * 60_000, () => 0)).toBe(60_000);
  });

  it('reads Retry-After as seconds or as a date', () => {
    expect(parseRetryAfter('120')).toBe(120_000);
    expect(parseRetryAfter(new Date(10_000 + 5_000).toUTCString(), 10_000)).toBe(5_000);
    expect(parseRetryAfter(undefined)).toBeNull();
    expect(parseRetryAfter('soon')).toBeNull();
  });
});
