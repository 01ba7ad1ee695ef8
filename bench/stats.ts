/** Percentile by nearest rank over a copy of the samples. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Runs `op` `total` times with at most `concurrency` in flight; returns ops per second. */
export async function throughput(total: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<{ perSecond: number; ms: number; failed: number }> {
  let next = 0;
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < total; i = next++) await op(i).catch(() => failed++);
    }),
  );
  const ms = performance.now() - started;
  return { perSecond: Math.round(((total - failed) / ms) * 1000), ms: Math.round(ms), failed };
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
