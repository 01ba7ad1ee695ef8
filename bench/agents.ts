/**
 * Agent benchmarks (issue 5): dispatch latency — a task made READY until it arrives on an idle
 * agent's long-poll, with 100 idle agents polling — and heartbeats per second through the
 * gateway. Starts its own planner, agent manager and gateway (own stream, schema, Redis prefix,
 * port), so it runs alone (`node dist/bench/agents.js`) or from `npm run bench`.
 */
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { Pool } from 'undici';
import { AgentRoutes, Subjects } from '@orch/contracts';
import { RpcClient } from '@orch/messaging';
import { BenchSystem } from './harness';
import { percentile, round, throughput } from './stats';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const PORT = Number(process.env.BENCH_AGENTS_PORT ?? 3923);
const AGENTS = Number(process.env.BENCH_AGENTS ?? 100);
const SAMPLES = Number(process.env.BENCH_DISPATCH_SAMPLES ?? 300);
const BEATS = Number(process.env.BENCH_HEARTBEATS ?? 30_000);

type Http = Pool;

async function call(http: Http, method: string, path: string, body?: unknown, key = 'dev-admin-key'): Promise<any> {
  const res = await http.request({ method: method as 'GET', path, headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

const stats = (ms: number[]) => ({ p50: round(percentile(ms, 50)), p95: round(percentile(ms, 95)), p99: round(percentile(ms, 99)), max: round(Math.max(...ms)), samples: ms.length });

interface BenchAgent {
  id: string;
  key: string;
}

/**
 * Every agent keeps a long-poll open. For each sample: a task is created, then made READY; the
 * clock runs from the moment the planner answered READY until the agent's poll returns the task.
 * The agent then finishes it (IN_PROGRESS, DONE) and polls again.
 */
async function dispatchLatency(http: Http, polls: Http, agents: BenchAgent[]) {
  const arrived = new Map<string, (at: number) => void>();
  let stopping = false;
  let failure: Error | null = null;
  const loops = agents.map(async (a) => {
    while (!stopping && !failure) {
      const { items } = await call(polls, 'GET', `/api/v1/agents/${a.id}/assignments?wait=30`, undefined, a.key);
      const now = performance.now();
      for (const t of items as Array<{ taskCode: string }>) {
        arrived.get(t.taskCode)?.(now);
        arrived.delete(t.taskCode);
        await call(http, 'PATCH', `/api/v1/tasks/${t.taskCode}`, { status: 'IN_PROGRESS' });
        await call(http, 'PATCH', `/api/v1/tasks/${t.taskCode}`, { status: 'DONE' });
      }
    }
  }).map((loop) => loop.catch((e: Error) => void (failure ??= e)));
  await new Promise((r) => setTimeout(r, 1_000)); // every poll is open
  const fromReady: number[] = [];
  const fromRequest: number[] = [];
  for (let i = 0; i < SAMPLES + 20; i++) {
    const code = `TSK-D${i}`;
    await call(http, 'POST', '/api/v1/tasks', { code, sprintCode: 'SPR-BENCH', title: `Dispatch ${i}`, requiredCapabilities: ['code_generation'] });
    const got = new Promise<number>((resolve) => arrived.set(code, resolve));
    const sent = performance.now();
    await call(http, 'PATCH', `/api/v1/tasks/${code}`, { status: 'READY' });
    const ready = performance.now();
    const at = await Promise.race([got, new Promise<number>((_, reject) => setTimeout(() => reject(failure ?? new Error(`${code} did not reach a long-poll in 30 s`)), 30_000))]);
    if (i >= 20) {
      fromReady.push(at - ready);
      fromRequest.push(at - sent);
    }
  }
  stopping = true;
  void Promise.allSettled(loops);
  return { agents: agents.length, fromReadyMs: stats(fromReady), fromReadyRequestMs: stats(fromRequest) };
}

/** The agent manager alone: heartbeats as NATS requests, without the gateway's HTTP layer. */
async function heartbeatRateNats(prefix: string, agents: BenchAgent[]) {
  const nc = await connect({ servers: NATS_URL });
  const rpc = new RpcClient(nc, new Subjects(prefix));
  const meta = { actor: { kind: 'agent' as const, id: 'bench' }, commandId: 'bench-heartbeat', issuedAt: new Date().toISOString() };
  try {
    return await throughput(BEATS, 64, (i) => rpc.call(AgentRoutes.heartbeat, { id: agents[i % agents.length]!.id, beat: { load: 0 } }, { meta, correlationId: 'bench' }));
  } finally {
    await nc.close();
  }
}

async function heartbeatRate(http: Http, agents: BenchAgent[]) {
  for (let i = 0; i < 2_000; i++) await call(http, 'POST', `/api/v1/agents/${agents[i % agents.length]!.id}/heartbeat`, { load: 0 }, agents[i % agents.length]!.key); // warm-up
  return throughput(BEATS, 64, (i) => {
    const a = agents[i % agents.length]!;
    return call(http, 'POST', `/api/v1/agents/${a.id}/heartbeat`, { load: 0, progress: 'idle' }, a.key);
  });
}

export async function agentBench(distRoot: string) {
  // The harness turns the rate limits off: throughput is measured here, not the per-key limits.
  const system = await BenchSystem.start(distRoot, {
    tag: 'a',
    port: PORT,
    apps: ['planner', 'agent-manager'],
    connections: 64,
    env: { AGENT_STALE_AFTER_MS: '600000', AGENT_LOST_AFTER_MS: '1200000' },
  });
  const http = system.http;
  const polls = new Pool(`http://127.0.0.1:${PORT}`, { connections: AGENTS + 8 });
  try {
    await call(http, 'POST', '/api/v1/sprints', { code: 'SPR-BENCH', title: 'Agent bench' });
    const agents: BenchAgent[] = [];
    for (let i = 0; i < AGENTS; i++) {
      const r = await call(http, 'POST', '/api/v1/agents', { name: `bench ${i}`, type: 'coder', maxLoad: 1 });
      agents.push({ id: r.agent.id, key: r.apiKey });
    }
    const beats = await heartbeatRate(http, agents);
    process.stdout.write(`  heartbeats through the gateway: ${beats.perSecond}/s (${beats.failed} failed)\n`);
    const natsBeats = await heartbeatRateNats(system.env.NATS_SUBJECT_PREFIX, agents);
    process.stdout.write(`  heartbeats over NATS (agent manager alone): ${natsBeats.perSecond}/s (${natsBeats.failed} failed)\n`);
    const dispatch = await dispatchLatency(http, polls, agents);
    process.stdout.write(`  dispatch READY → long-poll (${AGENTS} idle agents): p50 ${dispatch.fromReadyMs.p50} ms, p99 ${dispatch.fromReadyMs.p99} ms\n`);
    return { heartbeatsPerSecond: beats.perSecond, heartbeatsFailed: beats.failed, heartbeatsOverNatsPerSecond: natsBeats.perSecond, dispatch };
  } finally {
    await polls.destroy();
    await system.stop();
  }
}

if (require.main === module) {
  agentBench(join(__dirname, '..')).then(
    (r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`),
    (e) => {
      process.stderr.write(`${(e as Error).stack}\n`);
      process.exitCode = 1;
    },
  );
}
