/**
 * `npm run projections:rebuild -- <name>`: empties a read model and replays the whole log into
 * it. If the owning service is running, the instance that holds the projection does it live;
 * otherwise the service is started once in rebuild mode and exits when caught up.
 */
import { spawnSync } from 'node:child_process';
import { connect } from '@nats-io/transport-node';
import { BaseConfig, loadConfig } from '@orch/config';
import { PROJECTION_OWNERS, Subjects } from '@orch/contracts';
import { isNoResponders } from '@orch/messaging';

async function main(): Promise<number> {
  const name = process.argv[2];
  if (!name || !PROJECTION_OWNERS[name]) {
    process.stderr.write(`usage: npm run projections:rebuild -- <name>\nprojections: ${Object.keys(PROJECTION_OWNERS).join(', ')}\n`);
    return 2;
  }
  const config = loadConfig(BaseConfig);
  const subjects = new Subjects(config.NATS_SUBJECT_PREFIX);
  const nc = await connect({ servers: config.NATS_URL.split(','), timeout: 3_000 }).catch((e: Error) => {
    throw new Error(`Cannot reach NATS at ${config.NATS_URL} (${e.message})`);
  });
  try {
    process.stdout.write(`Asking the running ${PROJECTION_OWNERS[name]} to rebuild ${name}...\n`);
    const reply = await nc.request(subjects.control('projections', `rebuild.${name}`), new Uint8Array(), { timeout: 30 * 60_000 });
    const answer = JSON.parse(new TextDecoder().decode(reply.data)) as { ok: boolean; seq?: number; error?: string };
    if (!answer.ok) throw new Error(answer.error);
    process.stdout.write(`Rebuilt ${name} live, up to sequence ${answer.seq}.\n`);
    return 0;
  } catch (error) {
    if (!isNoResponders(error)) throw error;
  } finally {
    await nc.close();
  }
  process.stdout.write(`No running ${PROJECTION_OWNERS[name]} holds ${name}; rebuilding offline...\n`);
  const entry = `${__dirname}/../apps/${PROJECTION_OWNERS[name]}/src/main.js`;
  const result = spawnSync(process.execPath, [entry, '--rebuild', name], { stdio: 'inherit' });
  return result.status ?? 1;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  },
);
