/**
 * Session logs benchmark (issue 12): log ingestion through the gateway, `POST /sessions/:key/logs`
 * in batches of 500 lines, for BENCH_LOGS_SECONDS at BENCH_LOGS_CONCURRENCY requests in flight.
 * Target: ≥ 20,000 lines/s. Starts its own planner, session service and gateway (own stream,
 * schema, Redis prefix, port), so it runs alone (`node dist/bench/logs.js`) or from `npm run bench`.
 */
import { join } from 'node:path';
import type { Pool } from 'undici';
import { BenchSystem } from './harness';
import { percentile, round } from './stats';

const PORT = Number(process.env.BENCH_LOGS_PORT ?? 3926);
const SECONDS = Number(process.env.BENCH_LOGS_SECONDS ?? 15);
const CONCURRENCY = Number(process.env.BENCH_LOGS_CONCURRENCY ?? 8);
const BATCH = 500;
const TARGET_LINES_PER_SECOND = 20_000;
const KEY = 'dev-agent-key';

type Http = Pool;

const LEVELS = ['debug', 'info', 'info', 'info', 'warn', 'error'] as const;
const SOURCES = ['agent', 'agent', 'task', 'orchestrator', 'system'] as const;

/** A batch shaped like an agent's output: ~100-byte messages, some with context, one in a hundred with a secret to redact. */
function batch(n: number): string {
  const lines = Array.from({ length: BATCH }, (_, i) => {
    const k = n * BATCH + i;
    const message =
      k % 100 === 0
        ? `git push https://x-access-token:ghp_${String(k).padStart(36, '0')}@github.com/acme/app.git`
        : `step ${k}: compiled src/module${k % 40}.ts in ${k % 900} ms, ${k % 7} warnings, cache ${k % 3 ? 'hit' : 'miss'}`;
    return { level: LEVELS[k % LEVELS.length], source: SOURCES[k % SOURCES.length], message, ...(k % 10 === 0 ? { context: { file: `src/module${k % 40}.ts`, attempt: k % 4 } } : {}) };
  });
  return JSON.stringify({ lines });
}

async function call(http: Http, method: 'GET' | 'POST', path: string, body?: string, key = KEY): Promise<any> {
  const res = await http.request({ method, path, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

async function ingest(http: Http, path: string, seconds: number, bodies: string[]) {
  const until = performance.now() + seconds * 1000;
  const ms: number[] = [];
  let batches = 0;
  let failed = 0;
  let redactions = 0;
  let i = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) {
        const t = performance.now();
        await call(http, 'POST', path, bodies[i++ % bodies.length]).then(
          (r: { accepted: number; redactions: number }) => {
            ms.push(performance.now() - t);
            batches++;
            redactions += r.redactions;
          },
          () => failed++,
        );
      }
    }),
  );
  const elapsed = performance.now() - started;
  return { linesPerSecond: Math.round((batches * BATCH * 1000) / elapsed), batches, lines: batches * BATCH, failed, redactions, requestMs: { p50: round(percentile(ms, 50)), p95: round(percentile(ms, 95)), p99: round(percentile(ms, 99)) } };
}

export async function logsBench(distRoot: string) {
  // The harness turns the rate limits off: throughput is measured here, not the limiter.
  const system = await BenchSystem.start(distRoot, { tag: 'l', port: PORT, apps: ['planner', 'session-service'], connections: CONCURRENCY });
  const http = system.http;
  try {
    await call(http, 'POST', '/api/v1/tasks', JSON.stringify({ code: 'TSK-LOGS', title: 'A chatty agent' }), 'dev-admin-key');
    const key: string = (await call(http, 'POST', '/api/v1/sessions', JSON.stringify({ taskCode: 'TSK-LOGS' }))).session.sessionKey;
    const path = `/api/v1/sessions/${key}/logs`;
    const bodies = Array.from({ length: 20 }, (_, n) => batch(n));
    await ingest(http, path, 3, bodies); // warm-up: JIT, pools, caches
    const before = (await call(http, 'GET', `${path}/stats`)).total as number;
    const run = await ingest(http, path, SECONDS, bodies);
    const stored = ((await call(http, 'GET', `${path}/stats`)).total as number) - before;
    const bytesPerBatch = Buffer.byteLength(bodies[0]!);
    process.stdout.write(
      `  POST /sessions/:key/logs (batches of ${BATCH}, ${CONCURRENCY} in flight): ${run.linesPerSecond} lines/s (target ≥ ${TARGET_LINES_PER_SECOND}), ` +
        `request p50 ${run.requestMs.p50} ms, p95 ${run.requestMs.p95} ms; ${run.lines} lines acknowledged, ${stored} stored, ${run.failed} failed\n`,
    );
    if (stored !== run.lines) throw new Error(`logs bench: ${run.lines} lines acknowledged but ${stored} stored`);
    return { batch: BATCH, concurrency: CONCURRENCY, seconds: SECONDS, bytesPerBatch, target: TARGET_LINES_PER_SECOND, met: run.linesPerSecond >= TARGET_LINES_PER_SECOND, stored, ...run };
  } finally {
    await system.stop();
  }
}

if (require.main === module) {
  logsBench(join(__dirname, '..')).then(
    (r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`),
    (e) => {
      process.stderr.write(`${(e as Error).stack}\n`);
      process.exitCode = 1;
    },
  );
}
