import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Client } from 'pg';
import { ALL_SERVICES, PrivateInfra, SystemUnderTest, waitFor } from '@orch/testing';
import { ChaosLoad } from './chaos-load';
import { checkAgainstLog, differences, rebuildLive, readLog, snapshot, waitForProjections } from './chaos-verify';

/**
 * SPEC §9 "Faults", end to end: the whole system under a steady mixed load through the gateway
 * while, in turn, every service is SIGKILLed and restarted, then nats-server, Postgres and Redis
 * (private ones: the machine's shared servers serve other tests) restart. Nothing acknowledged
 * may be lost or doubled, every read model must equal a rebuild from the log, and no service may
 * exit on its own. `CHAOS_PROFILE=full` (npm run test:chaos) runs two rounds, more load between
 * faults and longer outages.
 */
const FULL = process.env.CHAOS_PROFILE === 'full';
const PROFILE = {
  name: FULL ? 'full' : 'short',
  workers: FULL ? 8 : 4,
  rounds: FULL ? 2 : 1,
  /** Acknowledged writes to see between faults: the load holds, not just survives. */
  progress: FULL ? 150 : 25,
  /** How long a server stays down in the "outage" fault: services must wait, not give up. */
  outageMs: FULL ? 20_000 : 5_000,
};
/** Read models checked against a rebuild; reactors that issue commands are not replayed (they would act again). */
const NOT_REBUILT = new Set(['workflow_runner', 'session_agent_lost']);

describe(`chaos (${PROFILE.name} profile): kill anything, lose nothing`, () => {
  let infra: PrivateInfra;
  let system: SystemUnderTest;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let pg: Client;
  const unexpectedExits: string[] = [];
  const faults: Array<{ fault: string; recoveredMs: number }> = [];
  const expectedExit = new Set<ChildProcess>();
  // SystemUnderTest keeps its children private; the chaos check needs to see every exit.
  const child = (app: string) => (system as unknown as { processes: Map<string, ChildProcess> }).processes.get(app)!;
  const watch = (app: string) => {
    const proc = child(app);
    proc.once('exit', (code, signal) => {
      if (!expectedExit.has(proc)) unexpectedExits.push(`${app} exited (code ${code}, signal ${signal})`);
    });
  };

  beforeAll(async () => {
    infra = await PrivateInfra.start();
    system = await SystemUnderTest.start({ env: { ...infra.env, RATE_LIMITS: 'off', STARTUP_WAIT_MS: '120000', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn' } });
    for (const app of [...ALL_SERVICES, 'gateway']) watch(app);
    nc = await connect({ servers: infra.nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    jsm = await jetstreamManager(nc);
  }, 120_000);

  afterAll(async () => {
    // The services' own words, for whoever has to find out what went wrong.
    if (system) writeFileSync(join(tmpdir(), `chaos-${system.iso.token}.log`), system.output.join(''));
    await nc?.close();
    await pg?.end().catch(() => undefined);
    await system?.stop();
    await infra?.stop();
  });

  it('keeps every acknowledged command exactly once and every read model equal to a rebuild', async () => {
    const openapi = (await (await system.fetch('/openapi.json', { key: null })).json()) as { paths: Record<string, unknown> };
    const routes = { sessions: '/api/v1/sessions' in openapi.paths, agents: '/api/v1/agents' in openapi.paths };
    const load = new ChaosLoad(() => system.url, routes);
    const started = Date.now();
    const running = load.start(PROFILE.workers);
    const held = async (fault: string, since: number) => {
      const from = load.count('acknowledged');
      await system.waitReady(90_000);
      await waitFor(`the load to go on after ${fault}`, () => load.count('acknowledged') >= from + PROFILE.progress || undefined, { timeoutMs: 90_000, intervalMs: 100 });
      faults.push({ fault, recoveredMs: Date.now() - since });
    };

    try {
      await held('start', Date.now());
      for (let round = 1; round <= PROFILE.rounds; round++) {
        for (const app of [...ALL_SERVICES, 'gateway']) {
          const at = Date.now();
          expectedExit.add(child(app));
          await system.kill(app, 'SIGKILL');
          system.spawn(app);
          watch(app);
          await held(`SIGKILL ${app}`, at);
        }
        for (const server of [infra.nats, infra.postgres, infra.redis]) {
          for (const how of ['restart', 'crash', 'outage'] as const) {
            const at = Date.now();
            if (how === 'outage') {
              await server.stop();
              await new Promise((r) => setTimeout(r, PROFILE.outageMs)); // the fault is the duration itself
              await server.start();
            } else await server.restart({ hard: how === 'crash' });
            await held(`${how} ${server.name}`, at);
          }
        }
      }
    } finally {
      load.stop();
      await running;
    }
    const loadMs = Date.now() - started;

    // The log: every acknowledged write exactly once, at the sequence it was acknowledged with.
    const stream = system.iso.env.NATS_STREAM!;
    const log = await readLog(jsm, stream);
    const check = checkAgainstLog(load.sent, log.commands);

    // The read models: caught up, then equal to a rebuild of each from sequence 1.
    pg = new Client({ connectionString: infra.postgres.url });
    await pg.connect();
    const schema = system.iso.env.DB_SCHEMA!;
    const lastSeq = async () => (await jsm.streams.info(stream)).state.last_seq;
    let diff: ReturnType<typeof differences> = {};
    let rebuilt: string[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      await waitForProjections(pg, schema, lastSeq, { recentWarnings: () => system.output.slice(-30).join('') });
      const before = await lastSeq();
      const live = await snapshot(pg, schema);
      rebuilt = [...(await pg.query<{ name: string }>(`SELECT name FROM "${schema}".projection_checkpoints ORDER BY name`)).rows.map((r) => r.name)].filter((n) => !NOT_REBUILT.has(n));
      await rebuildLive(nc, system.iso.env.NATS_SUBJECT_PREFIX!, rebuilt);
      await waitForProjections(pg, schema, lastSeq);
      diff = differences(live, await snapshot(pg, schema));
      if ((await lastSeq()) === before) break; // else a sweeper appended meanwhile: compare again
    }

    const figures = {
      profile: PROFILE.name,
      at: new Date().toISOString(),
      loadSeconds: Math.round(loadMs / 1000),
      routes,
      sent: load.sent.length,
      acknowledged: load.count('acknowledged'),
      acknowledgedWithoutWrite: load.count('noWrite'),
      cleanFailures: load.count('cleanFailure'),
      refused: load.count('refused'),
      serverErrors: load.count('serverError'),
      retried: load.retriesAfter,
      lost: check.lost.length,
      duplicated: check.duplicated.length,
      failedButWritten: check.failedButWritten,
      logCommits: log.lastSeq,
      faults,
      unexpectedExits,
      readModelsRebuilt: rebuilt,
      readModelDifferences: Object.keys(diff),
      outcomesByOp: tally(load.sent.map((s) => `${s.op} ${s.outcome}`)),
      refusedByCode: tally(load.sent.filter((s) => s.outcome === 'refused').map((s) => `${s.op} ${s.status} ${s.code}`)),
      // What the services logged as errors: where to look first when a 500 or a difference shows up.
      serviceErrors: system.errors.slice(-50),
    };
    const dir = join(__dirname, '..', 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `chaos-${figures.at.replace(/[:.]/g, '-')}.json`), `${JSON.stringify(figures, null, 2)}\n`);
    process.stdout.write(`chaos ${PROFILE.name}: ${figures.sent} sent, ${figures.acknowledged} acknowledged, ${figures.cleanFailures} clean failures, ${figures.refused} refused, ${figures.lost} lost, ${figures.duplicated} duplicated, ${faults.length - 1} faults, ${unexpectedExits.length} unexpected exits\n`);

    expect(check.lost.map((s) => s.op + ' ' + s.key)).toEqual([]);
    expect(check.duplicated).toEqual([]);
    expect(check.wrongSeq).toEqual([]);
    expect({ serverErrors: load.sent.filter((s) => s.outcome === 'serverError'), serviceErrors: figures.serverErrors ? figures.serviceErrors : [] }).toEqual({ serverErrors: [], serviceErrors: [] });
    expect(diff).toEqual({});
    expect(rebuilt.length).toBeGreaterThan(0);
    expect(unexpectedExits).toEqual([]);
    expect(figures.acknowledged).toBeGreaterThan(PROFILE.progress * faults.length);
  }, FULL ? 1_800_000 : 300_000);
});

function tally(items: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[i] = (out[i] ?? 0) + 1;
  return out;
}
