import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import type { Pool } from 'undici';
import { Subjects } from '@orch/contracts';
import { percentile, round } from './stats';

const AUTH = { authorization: 'Bearer dev-admin-key', 'content-type': 'application/json' };

/** A random DAG of `n` tasks, each depending on up to three earlier ones (seeded, so every run is the same). */
function dag(n: number) {
  let seed = 42;
  const rnd = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  return Array.from({ length: n }, (_, i) => ({
    id: `t${i}`,
    title: `Task ${i}`,
    estimateMinutes: 1 + Math.floor(rnd() * 120),
    dependsOn: i === 0 ? [] : [...new Set(Array.from({ length: Math.floor(rnd() * 4) }, () => `t${Math.floor(rnd() * i)}`))],
  }));
}

/**
 * Validate + optimise (cycles, ids, layers, critical path, slack, wall clock with 8 agents) of a
 * 5,000-task DAG: the built planner code in a child process of its own, 200 timed runs after warm-up.
 */
export function analyseLatency(distRoot: string, n = 5_000) {
  const script = `
    const { analyseDag } = require(${JSON.stringify(join(distRoot, 'apps/planner/src/plans/graph/analyse.js'))});
    const tasks = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
    const opts = { agents: 8, costPerHour: 5, availableCapabilities: null };
    for (let i = 0; i < 10; i++) analyseDag(tasks, opts);
    const ms = [];
    for (let i = 0; i < 200; i++) { const t = performance.now(); const a = analyseDag(tasks, opts); ms.push(performance.now() - t); if (!a.valid) throw new Error('invalid'); }
    process.stdout.write(JSON.stringify(ms));`;
  const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', input: JSON.stringify(dag(n)), maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`plan analysis bench failed: ${result.stderr}`);
  const ms = JSON.parse(result.stdout) as number[];
  return { tasks: n, edges: dag(n).reduce((s, t) => s + t.dependsOn.length, 0), p50: round(percentile(ms, 50), 2), p99: round(percentile(ms, 99), 2), max: round(Math.max(...ms), 2) };
}

/** `POST /api/v1/plans/validate` with the same 5,000-task DAG, through the gateway and NATS. */
export async function validateOverHttp(http: Pool, runs = 10) {
  const body = JSON.stringify({ tasks: dag(5_000), agents: 8 });
  const ms: number[] = [];
  for (let i = 0; i < runs + 2; i++) {
    const started = performance.now();
    const res = await http.request({ method: 'POST', path: '/api/v1/plans/validate', headers: AUTH, body });
    await res.body.text();
    if (res.statusCode !== 200) throw new Error(`validate answered ${res.statusCode}`);
    if (i >= 2) ms.push(performance.now() - started);
  }
  return { bodyBytes: body.length, p50: round(percentile(ms, 50)), p99: round(percentile(ms, 99)) };
}

/**
 * Readiness propagation: in a workflow over `pairs` pairs A_i → B_i, each A_i is moved to DONE
 * and we time, from the 2xx of that PATCH, until the planner's read model has applied the commit
 * that made B_i READY (the process manager's command). Times come from the projection's own
 * checkpoint announcements, so observing costs the system nothing.
 */
export async function readinessPropagation(http: Pool, natsUrl: string, stream: string, prefix: string, pairs = 200) {
  const subjects = new Subjects(prefix);
  const nc = await connect({ servers: natsUrl });
  const jsm = await jetstreamManager(nc);
  const checkpoints: Array<{ position: number; at: number }> = [];
  nc.subscribe(subjects.checkpoint('planner'), { callback: (_e, msg) => void checkpoints.push({ position: Number(msg.string()), at: performance.now() }) });
  const send = async (method: string, path: string, body?: object) => {
    const res = await http.request({ method, path, headers: AUTH, body: body && JSON.stringify(body) });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`${method} ${path} answered ${res.statusCode}: ${text}`);
    return JSON.parse(text);
  };
  try {
    await send('POST', '/api/v1/sprints', { code: 'SPR-READY-BENCH', title: 'Readiness bench' });
    for (let i = 0; i < pairs; i++) {
      await send('POST', '/api/v1/tasks', { code: `TSK-RA${i}`, sprintCode: 'SPR-READY-BENCH', title: `A${i}`, estimateMinutes: 10 });
      await send('POST', '/api/v1/tasks', { code: `TSK-RB${i}`, sprintCode: 'SPR-READY-BENCH', title: `B${i}`, estimateMinutes: 10, dependsOn: [`TSK-RA${i}`] });
    }
    await send('POST', '/api/v1/workflows', { sprintCode: 'SPR-READY-BENCH' });
    const lags: number[] = [];
    for (let i = 0; i < pairs; i++) {
      const subject = subjects.aggregate('task', `TSK-RB${i}`);
      const readySeen = new Promise<void>((resolve) => {
        const sub = nc.subscribe(subject, { callback: () => (sub.unsubscribe(), resolve()) });
      });
      await waitUntil(async () => (await send('GET', `/api/v1/tasks/TSK-RA${i}`)).status === 'READY');
      await send('PATCH', `/api/v1/tasks/TSK-RA${i}`, { status: 'IN_PROGRESS' });
      await send('PATCH', `/api/v1/tasks/TSK-RA${i}`, { status: 'DONE' });
      const doneAt = performance.now();
      await readySeen;
      const seq = (await jsm.streams.getMessage(stream, { last_by_subj: subject }))!.seq;
      await waitUntil(async () => checkpoints.some((c) => c.position >= seq));
      lags.push(checkpoints.find((c) => c.position >= seq)!.at - doneAt);
    }
    return { pairs, p50: round(percentile(lags, 50)), p99: round(percentile(lags, 99)), max: round(Math.max(...lags)) };
  } finally {
    await nc.close();
  }
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('readiness bench: timed out waiting');
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Everything above, printed as it goes; what `bench/run.ts` records under `plans`. */
export async function planBench(distRoot: string, http: Pool, env: NodeJS.ProcessEnv) {
  const analyse = analyseLatency(distRoot);
  process.stdout.write(`  plan validate+optimise of ${analyse.tasks} tasks (${analyse.edges} edges) in-process: p50 ${analyse.p50} ms, p99 ${analyse.p99} ms\n`);
  const overHttp = await validateOverHttp(http);
  process.stdout.write(`  POST /api/v1/plans/validate with ${analyse.tasks} tasks (${overHttp.bodyBytes} bytes): p50 ${overHttp.p50} ms, p99 ${overHttp.p99} ms\n`);
  const readiness = await readinessPropagation(http, env.NATS_URL!, env.NATS_STREAM!, env.NATS_SUBJECT_PREFIX!);
  process.stdout.write(`  readiness propagation (DONE → dependent READY in the read model), ${readiness.pairs} samples: p50 ${readiness.p50} ms, p99 ${readiness.p99} ms\n`);
  return { analyseMs: analyse, validateOverHttpMs: overHttp, readinessPropagationMs: readiness };
}
