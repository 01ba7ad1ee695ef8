/**
 * Session benchmarks (issue 3): the resume briefing of a 1,000-event session, `phase-complete`
 * through the gateway, and a cold `orch session-start` (a fresh CLI process). Starts its own
 * planner, session service, bug service and gateway (own stream, schema, Redis prefix, port), so it
 * runs alone (`node dist/bench/sessions.js`) or from `npm run bench`.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'undici';
import { BenchSystem } from './harness';
import { percentile, round } from './stats';

const PORT = Number(process.env.BENCH_SESSIONS_PORT ?? 3921);
const KEY = 'dev-agent-key';

type Http = Pool;

async function call(http: Http, method: string, path: string, body?: unknown, key = KEY): Promise<any> {
  const res = await http.request({ method: method as 'GET', path, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 300)}`);
  return text && res.headers['content-type']?.toString().includes('json') ? JSON.parse(text) : text;
}

/** Creates a task; a 409 means an earlier attempt of this very call landed (a retried request), which is fine. */
async function createTask(http: Http, code: string, title: string): Promise<void> {
  await call(http, 'POST', '/api/v1/tasks', { code, title, estimateMinutes: 120 }, 'dev-admin-key').catch((e: Error) => {
    if (!/ 409 /.test(e.message)) throw e;
  });
}

const stats = (ms: number[]) => ({ p50: round(percentile(ms, 50)), p95: round(percentile(ms, 95)), p99: round(percentile(ms, 99)), samples: ms.length });

async function timedMs(op: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await op();
  return performance.now() - t;
}

/** Briefing of a session with 1,000 events: notes make up the bulk, as a long EXECUTE would. */
async function briefingLatency(http: Http, samples = 300) {
  await createTask(http, 'TSK-BRIEF', 'A long session');
  const key: string = (await call(http, 'POST', '/api/v1/sessions', { taskCode: 'TSK-BRIEF' })).session.sessionKey;
  for (let i = 0; i < 998; i++) await call(http, 'POST', `/api/v1/sessions/${key}/notes`, { text: `step ${i}: edited src/module${i % 40}.ts and ran its tests` });
  const events = (await call(http, 'GET', `/api/v1/sessions/${key}`)).version;
  for (let i = 0; i < 50; i++) await call(http, 'GET', `/api/v1/sessions/${key}/briefing`); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < samples; i++) ms.push(await timedMs(() => call(http, 'GET', `/api/v1/sessions/${key}/briefing`)));
  return { events, ...stats(ms) };
}

/** `phase-complete` through the gateway: sessions with their artifacts registered, five completes each. */
async function phaseCompleteLatency(http: Http, sessions = 60) {
  const ms: number[] = [];
  for (let s = 0; s < sessions; s++) {
    const code = `TSK-PC${s}`;
    await createTask(http, code, `Phase bench ${s}`);
    const key: string = (await call(http, 'POST', '/api/v1/sessions', { taskCode: code })).session.sessionKey;
    for (const name of ['TASK.md', 'CONTEXT.md', 'PLAN.md', 'CHANGES.md']) await call(http, 'POST', `/api/v1/sessions/${key}/artifacts`, { name, content: `# ${name}\n` });
    for (let p = 0; p < 5; p++) {
      const t = await timedMs(() => call(http, 'POST', `/api/v1/sessions/${key}/phase-complete`, { fields: { test_results: 'green' } }));
      if (s >= 5) ms.push(t); // the first sessions warm the JIT, pools and caches
    }
  }
  return stats(ms);
}

/** `orch session-start` as a fresh process (what an agent pays per command): wall time. */
function cliColdStart(distRoot: string, runs = 10) {
  const cli = join(distRoot, 'apps', 'cli', 'src', 'main.js');
  const home = mkdtempSync(join(tmpdir(), 'orch-bench-'));
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, [cli, 'session-start', `TSK-CLI${i}`, '--json'], { env: { ...process.env, ORCH_URL: `http://127.0.0.1:${PORT}`, ORCH_API_KEY: KEY, ORCH_HOME: home }, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`orch session-start failed: ${r.stderr}`);
    ms.push(performance.now() - t);
  }
  return { p50: round(percentile(ms, 50)), max: round(Math.max(...ms)), runs };
}

export async function sessionBench(distRoot: string) {
  // The harness turns the rate limits off: a benchmark measures latency, not the per-key limits.
  const system = await BenchSystem.start(distRoot, { tag: 's', port: PORT, apps: ['planner', 'session-service', 'bug-service'], connections: 8 });
  const http = system.http;
  try {
    const briefing = await briefingLatency(http);
    process.stdout.write(`  session briefing (${briefing.events} events): p50 ${briefing.p50} ms, p95 ${briefing.p95} ms\n`);
    const phaseComplete = await phaseCompleteLatency(http);
    process.stdout.write(`  POST /sessions/:key/phase-complete: p50 ${phaseComplete.p50} ms, p95 ${phaseComplete.p95} ms\n`);
    for (let i = 0; i < 10; i++) await createTask(http, `TSK-CLI${i}`, `CLI bench ${i}`);
    const cli = cliColdStart(distRoot);
    process.stdout.write(`  orch session-start (cold process): p50 ${cli.p50} ms, max ${cli.max} ms\n`);
    return { briefingMs: briefing, phaseCompleteMs: phaseComplete, cliSessionStartMs: cli };
  } finally {
    await system.stop();
  }
}

if (require.main === module) {
  sessionBench(join(__dirname, '..')).then(
    (r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`),
    (e) => {
      process.stderr.write(`${(e as Error).stack}\n`);
      process.exitCode = 1;
    },
  );
}
