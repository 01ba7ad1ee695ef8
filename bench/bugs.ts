import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Pool } from 'undici';
import { percentile, round } from './stats';

/**
 * Fingerprinting rate in one process: the built bug-service code, run over the corpus's
 * realistic reports (with their stacks) for about two seconds, in a child process of its own.
 */
export function fingerprintRate(distRoot: string): number {
  const script = `
    const { fingerprint } = require(${JSON.stringify(join(distRoot, 'apps/bug-service/src/fingerprint/index.js'))});
    const corpus = require(${JSON.stringify(join(distRoot, 'apps/bug-service/src/fingerprint/corpus.json'))});
    const reports = [...corpus.group, ...corpus.split].flatMap((p) => [p.a, p.b]);
    for (let i = 0; i < 20000; i++) fingerprint(reports[i % reports.length]);
    let n = 0; const t = performance.now();
    while (performance.now() - t < 2000) for (const r of reports) { fingerprint(r); n++; }
    process.stdout.write(String(Math.round(n / ((performance.now() - t) / 1000))));`;
  const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`fingerprint bench failed: ${result.stderr}`);
  return Number(result.stdout);
}

/** `POST /api/v1/bugs` latency at a modest concurrency, half recurring bugs and half new ones. */
export async function postBugLatency(http: Pool, total = 2_000, concurrency = 8, warmUp = 200) {
  const latencies: number[] = [];
  let next = 0; // the first `warmUp` requests (JIT, pools, first fingerprints) are not counted
  let failed = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < warmUp + total; i = next++) {
        const message = i % 2 === 0 ? `TypeError: Cannot read properties of undefined (reading 'field${i % 20}')` : `Error: unique failure number ${i} in step ${i}`;
        const started = performance.now();
        const res = await http.request({
          method: 'POST',
          path: '/api/v1/bugs',
          headers: { authorization: 'Bearer dev-agent-key', 'content-type': 'application/json' },
          body: JSON.stringify({ message, file: 'src/bench.ts', line: i, stack: `Error\n    at run (/repo/src/bench${i % 50}.ts:${i}:1)`, projectRoot: '/repo' }),
        });
        await res.body.text();
        if (i < warmUp) continue;
        if (res.statusCode === 201) latencies.push(performance.now() - started);
        else failed++;
      }
    }),
  );
  return { p50: round(percentile(latencies, 50)), p95: round(percentile(latencies, 95)), p99: round(percentile(latencies, 99)), requests: total, concurrency, failed };
}
