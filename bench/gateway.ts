/**
 * Gateway benchmarks (issue 9):
 * - its overhead (auth + validation + routing) on a trivial command — an agent's heartbeat, which
 *   the agent manager answers from Redis — offered at a fixed 2,000 requests/s (open loop: a
 *   request's clock starts when it was due, so a stall shows instead of slowing the offer). The
 *   overhead of each request is the gateway's own time from its `Server-Timing` header (its total
 *   minus the time it waited on the service); the client's end-to-end latency is given too;
 * - SSE fan-out: 200 clients on `GET /api/v1/events/stream` while tasks are created; delivery
 *   latency per client and event, from the event's `occurredAt` (set by the service before its
 *   append, so this includes the append) to its arrival at the client.
 * Runs alone (`node dist/bench/gateway.js`) or from `npm run bench`.
 */
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { BenchSystem } from './harness';
import { percentile, round } from './stats';

const PORT = Number(process.env.BENCH_GATEWAY_PORT ?? 3925);
const RATE = Number(process.env.BENCH_GATEWAY_RATE ?? 2_000);
const SECONDS = Number(process.env.BENCH_GATEWAY_SECONDS ?? 10);
const SSE_CLIENTS = Number(process.env.BENCH_SSE_CLIENTS ?? 200);
const SSE_EVENTS = Number(process.env.BENCH_SSE_EVENTS ?? 200);

const stats = (ms: number[]) => ({ p50: round(percentile(ms, 50), 2), p95: round(percentile(ms, 95), 2), p99: round(percentile(ms, 99), 2), max: round(Math.max(...ms), 2), samples: ms.length });

/** `gateway;dur=0.41, service;dur=1.20` → { gateway: 0.41, service: 1.2 } */
function serverTiming(header: string | string[] | undefined): Record<string, number> {
  const value = Array.isArray(header) ? header.join(', ') : (header ?? '');
  return Object.fromEntries(value.split(',').map((m) => m.trim().split(';')).map(([name, ...params]) => [name, Number(params.find((p) => p.startsWith('dur='))?.slice(4))]));
}

/** Calls `op(i)` at `rate` per second for `seconds`; each latency counts from when the call was due. */
async function openLoop(rate: number, seconds: number, op: (i: number) => Promise<void>): Promise<{ lateMs: number[]; failed: number; achievedRate: number }> {
  const total = rate * seconds;
  const lateMs: number[] = [];
  const inFlight: Promise<void>[] = [];
  let failed = 0;
  const started = performance.now();
  for (let i = 0; i < total; ) {
    const due = started + (i * 1000) / rate;
    const now = performance.now();
    if (now < due) {
      await new Promise((r) => setTimeout(r, Math.max(0, due - now)));
      continue;
    }
    // Everything due by now goes out in this tick.
    for (; i < total && started + (i * 1000) / rate <= now; i++) inFlight.push(op(i).catch(() => void failed++));
    lateMs.push(now - due);
  }
  await Promise.all(inFlight);
  return { lateMs, failed, achievedRate: Math.round(total / ((performance.now() - started) / 1000)) };
}

async function gatewayOverhead(system: BenchSystem, agents: Array<{ id: string; key: string }>) {
  const beat = async (i: number, onTiming?: (t: Record<string, number>, ms: number) => void) => {
    const a = agents[i % agents.length]!;
    const sent = performance.now();
    const res = await system.http.request({ method: 'POST', path: `/api/v1/agents/${a.id}/heartbeat`, headers: { authorization: `Bearer ${a.key}`, 'content-type': 'application/json' }, body: '{"load":0}' });
    await res.body.text();
    if (res.statusCode !== 200) throw new Error(`heartbeat: ${res.statusCode}`);
    onTiming?.(serverTiming(res.headers['server-timing']), performance.now() - sent);
  };
  for (let i = 0; i < 3_000; i++) await beat(i); // warm-up: JIT, pools
  const overhead: number[] = [];
  const service: number[] = [];
  const endToEnd: number[] = [];
  const run = await openLoop(RATE, SECONDS, (i) =>
    beat(i, (t, ms) => {
      overhead.push(t.gateway!);
      service.push(t.service!);
      endToEnd.push(ms);
    }),
  );
  return { offeredRate: RATE, achievedRate: run.achievedRate, failed: run.failed, gatewayOverheadMs: stats(overhead), serviceMs: stats(service), endToEndMs: stats(endToEnd) };
}

/** One SSE client: records, per event it receives, now − occurredAt. */
function sseClient(key: string, onEvent: (latencyMs: number, seq: number) => void): Promise<() => void> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: PORT, path: '/api/v1/events/stream?types=orchestration.task.*', headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`SSE: ${res.statusCode}`));
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = message.split('\n').find((l) => l.startsWith('data: '));
          if (!data) continue;
          const event = JSON.parse(data.slice(6)) as { occurredAt: string; seq: number };
          onEvent(Date.now() - Date.parse(event.occurredAt), event.seq);
        }
      });
      resolve(() => req.destroy());
    });
    req.on('error', (e) => (e.message.includes('socket hang up') ? undefined : reject(e)));
    req.end();
  });
}

async function sseFanOut(system: BenchSystem) {
  const latencies: number[] = [];
  const received = new Map<number, number>();
  const closers: Array<() => void> = [];
  for (let c = 0; c < SSE_CLIENTS; c++) {
    closers.push(
      await sseClient('dev-viewer-key', (ms, seq) => {
        latencies.push(ms);
        received.set(seq, (received.get(seq) ?? 0) + 1);
      }),
    );
  }
  try {
    await new Promise((r) => setTimeout(r, 500)); // every client is live
    const seqs: number[] = [];
    // 20 events a second: a steady stream, each event to every client.
    for (let i = 0; i < SSE_EVENTS; i++) {
      const res = await system.http.request({ method: 'POST', path: '/api/v1/tasks', headers: { authorization: 'Bearer dev-admin-key', 'content-type': 'application/json' }, body: JSON.stringify({ title: `Fan-out ${i}` }) });
      await res.body.text();
      if (res.statusCode !== 201) throw new Error(`POST /tasks: ${res.statusCode}`);
      seqs.push(Number(res.headers['x-orch-seq']));
      await new Promise((r) => setTimeout(r, 50));
    }
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && seqs.some((s) => (received.get(s) ?? 0) < SSE_CLIENTS)) await new Promise((r) => setTimeout(r, 50));
    const missing = seqs.reduce((n, s) => n + (SSE_CLIENTS - (received.get(s) ?? 0)), 0);
    return { clients: SSE_CLIENTS, events: seqs.length, deliveries: latencies.length, missing, deliveryMs: stats(latencies) };
  } finally {
    for (const close of closers) close();
  }
}

export async function gatewayBench(distRoot: string) {
  const system = await BenchSystem.start(distRoot, {
    tag: 'gw',
    port: PORT,
    apps: ['planner', 'agent-manager'],
    connections: 256,
    env: { AGENT_STALE_AFTER_MS: '600000', AGENT_LOST_AFTER_MS: '1200000' },
  });
  try {
    const agents: Array<{ id: string; key: string }> = [];
    for (let i = 0; i < 50; i++) {
      const r = await system.call('POST', '/api/v1/agents', { name: `gw bench ${i}`, type: 'coder', maxLoad: 1 });
      agents.push({ id: r.agent.id, key: r.apiKey });
    }
    const overhead = await gatewayOverhead(system, agents);
    process.stdout.write(
      `  gateway overhead at ${overhead.achievedRate}/s (heartbeats): p50 ${overhead.gatewayOverheadMs.p50} ms, p99 ${overhead.gatewayOverheadMs.p99} ms; end to end p99 ${overhead.endToEndMs.p99} ms (${overhead.failed} failed)\n`,
    );
    const fanOut = await sseFanOut(system);
    process.stdout.write(`  SSE fan-out to ${fanOut.clients} clients: p50 ${fanOut.deliveryMs.p50} ms, p99 ${fanOut.deliveryMs.p99} ms over ${fanOut.deliveries} deliveries (${fanOut.missing} missing)\n`);
    return { overhead, sseFanOut: fanOut };
  } finally {
    await system.stop();
  }
}

if (require.main === module) {
  gatewayBench(join(__dirname, '..')).then(
    (r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`),
    (e) => {
      process.stderr.write(`${(e as Error).stack}\n`);
      process.exitCode = 1;
    },
  );
}
