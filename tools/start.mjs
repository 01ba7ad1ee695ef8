#!/usr/bin/env node
// `npm start`: checks NATS/Postgres/Redis, creates the database, builds, runs every service
// with readable logs, waits until the gateway is ready, then prints where to go and how to
// authenticate. Ctrl-C stops everything cleanly.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { build, ROOT } from './build.mjs';
import { checkInfrastructure, describeDown, ensureDatabase, infraAddresses } from './infra.mjs';
import { Supervisor } from './supervisor.mjs';

/** Back-end services first, the gateway last (its /ready needs them). */
const ALL_SERVICES = ['planner', 'agent-manager', 'session-service', 'bug-service', 'search-service', 'notifier', 'gateway'];
/** ORCH_SERVICES=planner,gateway runs a subset, e.g. while another one runs in a debugger. */
const SERVICES = process.env.ORCH_SERVICES ? process.env.ORCH_SERVICES.split(',').map((s) => s.trim()).filter(Boolean) : ALL_SERVICES;
const DEV_KEYS = { admin: 'dev-admin-key', agent: 'dev-agent-key', viewer: 'dev-viewer-key' };
const READY_TIMEOUT_MS = Number(process.env.START_TIMEOUT_MS) || 90_000;

const say = (text) => process.stdout.write(`${text}\n`);

function fail(message) {
  process.stderr.write(`\n✗ ${message}\n`);
  process.exit(1);
}

async function main() {
  const env = { ...process.env, NODE_ENV: process.env.NODE_ENV || 'development' };
  const port = Number(env.GATEWAY_PORT) || 3000;
  const base = `http://127.0.0.1:${port}`;

  say('Checking NATS, Postgres and Redis...');
  const results = await checkInfrastructure(env);
  if (results.some((r) => !r.ok)) fail(describeDown(results));
  const { DATABASE_URL } = infraAddresses(env);
  if (await ensureDatabase(DATABASE_URL)) say(`Created the database ${new URL(DATABASE_URL).pathname.slice(1)}.`);

  say('Building...');
  if (!build()) fail('the build failed (see above)');
  const missing = SERVICES.filter((s) => !existsSync(entryOf(s)));
  if (missing.length) fail(`not built, so not startable: ${missing.map((s) => `${s} (dist/apps/${s}/src/main.js; is there an apps/${s}/src/main.ts?)`).join(', ')}`);

  let exiting = false;
  const supervisor = new Supervisor({
    names: SERVICES,
    env,
    cwd: ROOT,
    onUnexpectedExit(name, code, signal) {
      if (exiting) return;
      exiting = true;
      process.stderr.write(`\n✗ ${name} exited unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`}); stopping everything.\n`);
      void supervisor.stopAll().then(() => process.exit(1));
    },
  });
  const stop = (signal) => {
    if (exiting) {
      supervisor.killAll(); // a second Ctrl-C: do not wait
      process.exit(1);
    }
    exiting = true;
    say(`\n${signal}: stopping every service...`);
    void supervisor.stopAll().then(() => {
      say('Stopped.');
      process.exit(0);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  say(`Starting ${SERVICES.join(', ')}...`);
  for (const service of SERVICES) supervisor.start(service, entryOf(service));

  if (!SERVICES.includes('gateway')) {
    say('No gateway in ORCH_SERVICES: the services run without the HTTP API. Ctrl-C stops them.');
    return;
  }
  const ready = await waitUntilReady(base, () => exiting);
  if (exiting) return; // a child died or we were stopped meanwhile
  if (!ready.ok) {
    exiting = true;
    process.stderr.write(`\n✗ The gateway was not ready after ${READY_TIMEOUT_MS / 1000} s: ${ready.why}. Stopping everything.\n`);
    await supervisor.stopAll();
    process.exit(1);
  }
  printWelcome(base, env);
}

function entryOf(service) {
  return join(ROOT, 'dist/apps', service, 'src/main.js');
}

/** Polls GET /ready; on timeout says what was still down (or that the gateway did not answer). */
async function waitUntilReady(base, stopped) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let why = 'the gateway did not answer';
  let lastNote = Date.now();
  while (Date.now() < deadline && !stopped()) {
    try {
      const res = await fetch(`${base}/ready`, { signal: AbortSignal.timeout(3_000) });
      if (res.status === 200) return { ok: true };
      const body = await res.json().catch(() => ({}));
      const down = Object.entries(body.checks ?? {})
        .filter(([, state]) => state !== 'up')
        .map(([name]) => name);
      why = down.length ? `still down: ${down.join(', ')}` : `GET /ready answered ${res.status}`;
    } catch (error) {
      why = `the gateway did not answer at ${base} (${error.cause?.code ?? error.message})`;
    }
    if (Date.now() - lastNote > 15_000) {
      lastNote = Date.now();
      say(`...waiting for the gateway to be ready (${why})`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return { ok: false, why };
}

function printWelcome(base, env) {
  const devKeys = !env.ORCH_API_KEYS && env.NODE_ENV !== 'production';
  const key = devKeys ? DEV_KEYS.admin : '<your admin key>';
  say(
    [
      '',
      '────────────────────────────────────────────────────────────────────────',
      `  Orchestrator is ready at ${base}`,
      `  API docs:   ${base}/docs   (OpenAPI: ${base}/openapi.json)`,
      devKeys
        ? `  Dev keys:   ${DEV_KEYS.admin} (admin)  ${DEV_KEYS.agent} (agent)  ${DEV_KEYS.viewer} (viewer)`
        : '  Keys:       from ORCH_API_KEYS',
      '',
      '  Try:',
      `    curl -s -X POST ${base}/api/v1/sprints -H 'Authorization: Bearer ${key}' \\`,
      `      -H 'Content-Type: application/json' -d '{"code":"SPR-001","title":"First sprint"}'`,
      `    curl -s '${base}/api/v1/tasks?sprint=SPR-001' -H 'Authorization: Bearer ${key}'`,
      '',
      '  Ctrl-C stops everything.',
      '────────────────────────────────────────────────────────────────────────',
      '',
    ].join('\n'),
  );
}

main().catch((error) => fail(`npm start failed: ${error?.message ?? error}`));
