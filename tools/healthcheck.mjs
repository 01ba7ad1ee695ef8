#!/usr/bin/env node
// Container healthcheck: `node tools/healthcheck.mjs <service>` exits 0 when the service is up.
// The gateway answers GET /health; every other service its NATS health subject.
import { connect } from '@nats-io/transport-node';

const service = process.argv[2];
const env = process.env;

async function healthy() {
  if (!service) throw new Error('usage: node tools/healthcheck.mjs <service>');
  if (service === 'gateway') {
    const res = await fetch(`http://127.0.0.1:${env.GATEWAY_PORT || 3000}/health`, { signal: AbortSignal.timeout(2_000) });
    return res.ok;
  }
  const nc = await connect({ servers: (env.NATS_URL || 'nats://127.0.0.1:4222').split(','), timeout: 2_000, reconnect: false });
  try {
    const msg = await nc.request(`${env.NATS_SUBJECT_PREFIX || 'orch'}.health.${service}`, new Uint8Array(), { timeout: 2_000 });
    return JSON.parse(new TextDecoder().decode(msg.data)).status === 'up';
  } finally {
    await nc.close();
  }
}

healthy().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error) => {
    process.stderr.write(`${service}: ${error.message}\n`);
    process.exit(1);
  },
);
