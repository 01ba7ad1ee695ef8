import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Client } from 'pg';
import { ALL_SERVICES, freePort, SystemUnderTest, TEST_DATABASE_URL, TEST_NATS_URL, waitFor } from '@orch/testing';
import { ChaosLoad } from './chaos-load';
import { checkAgainstLog, differences, readLog, rebuildLive, snapshot, waitForProjections } from './chaos-verify';

const DIST = join(__dirname, '..', 'dist', 'apps');
const PROGRESS = 40;
/** Reactors that issue commands are not replayed (they would act again); every read model is. */
const NOT_REBUILT = new Set(['workflow_runner', 'session_agent_lost']);

/**
 * SPEC §9 "Scale-out": two instances of every service and two gateways share one load. Commands
 * are shared by queue groups, each projection stays exactly-once (one active consumer, the other on
 * standby); then the first instance of everything is SIGKILLed and the second carries on alone.
 * Nothing acknowledged is lost or doubled, and every read model equals a rebuild from the log.
 */
describe('two instances of every service', () => {
  let system: SystemUnderTest;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let pg: Client;
  let secondGateway: string;
  const seconds: ChildProcess[] = [];
  const unexpectedExits: string[] = [];
  let firstGatewayUp = true;

  beforeAll(async () => {
    system = await SystemUnderTest.start({ env: { RATE_LIMITS: 'off' } });
    const port = await freePort();
    secondGateway = `http://127.0.0.1:${port}`;
    for (const app of [...ALL_SERVICES, 'gateway']) {
      const env = app === 'gateway' ? { ...system.iso.env, GATEWAY_PORT: String(port) } : system.iso.env;
      const child = spawn(process.execPath, [join(DIST, app, 'src', 'main.js')], { env, stdio: 'ignore' });
      child.once('exit', (code, signal) => unexpectedExits.push(`second ${app} exited (code ${code}, signal ${signal})`));
      seconds.push(child);
    }
    await waitFor('the second gateway to be ready', async () => (await fetch(`${secondGateway}/ready`).catch(() => null))?.status === 200, { timeoutMs: 60_000, intervalMs: 200 });
    nc = await connect({ servers: TEST_NATS_URL });
    jsm = await jetstreamManager(nc);
    pg = new Client({ connectionString: TEST_DATABASE_URL });
    await pg.connect();
  }, 120_000);

  afterAll(async () => {
    for (const child of seconds) {
      child.removeAllListeners('exit');
      child.kill('SIGTERM');
    }
    await pg?.end();
    await nc?.close();
    await system?.stop();
  });

  it('shares the load, survives losing one instance of everything, and keeps every write exactly once', async () => {
    const openapi = (await (await system.fetch('/openapi.json', { key: null })).json()) as { paths: Record<string, unknown> };
    const routes = { sessions: '/api/v1/sessions' in openapi.paths, agents: '/api/v1/agents' in openapi.paths };
    // Like a load balancer: either gateway while both run, the survivor afterwards.
    const load = new ChaosLoad(() => (firstGatewayUp && Math.random() < 0.5 ? system.url : secondGateway), routes);
    const running = load.start(4);
    const held = async (what: string) => {
      const from = load.count('acknowledged');
      await waitFor(`the load to go on ${what}`, () => load.count('acknowledged') >= from + PROGRESS || undefined, { timeoutMs: 90_000, intervalMs: 100 });
    };
    try {
      await held('with two of everything');
      firstGatewayUp = false;
      for (const app of ['gateway', ...ALL_SERVICES]) await system.kill(app, 'SIGKILL');
      await held('after the first instance of every service was SIGKILLed');
    } finally {
      load.stop();
      await running;
    }

    const stream = system.iso.env.NATS_STREAM!;
    const log = await readLog(jsm, stream);
    const check = checkAgainstLog(load.sent, log.commands);
    expect(check.lost.map((s) => `${s.op} ${s.key}`)).toEqual([]);
    expect(check.duplicated).toEqual([]);
    expect(check.wrongSeq).toEqual([]);
    expect(load.sent.filter((s) => s.outcome === 'serverError')).toEqual([]);

    // The standby consumers took over: every read model caught up and equals its rebuild.
    const schema = system.iso.env.DB_SCHEMA!;
    const lastSeq = async () => (await jsm.streams.info(stream)).state.last_seq;
    let diff: ReturnType<typeof differences> = {};
    for (let attempt = 1; attempt <= 3; attempt++) {
      await waitForProjections(pg, schema, lastSeq);
      const before = await lastSeq();
      const live = await snapshot(pg, schema);
      const names = (await pg.query<{ name: string }>(`SELECT name FROM "${schema}".projection_checkpoints ORDER BY name`)).rows.map((r) => r.name).filter((n) => !NOT_REBUILT.has(n));
      await rebuildLive(nc, system.iso.env.NATS_SUBJECT_PREFIX!, names);
      await waitForProjections(pg, schema, lastSeq);
      diff = differences(live, await snapshot(pg, schema));
      if ((await lastSeq()) === before) break; // a sweeper appended meanwhile: compare again
    }
    expect(diff).toEqual({});
    expect(unexpectedExits).toEqual([]);
    process.stdout.write(`scale-out: ${load.sent.length} sent, ${load.count('acknowledged')} acknowledged, ${check.lost.length} lost, ${check.duplicated.length} duplicated\n`);
  }, 300_000);
});
