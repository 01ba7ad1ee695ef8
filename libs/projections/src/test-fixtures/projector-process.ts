// A projector as its own process, so a test can SIGKILL it mid-stream and start it again.
import 'reflect-metadata';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pino from 'pino';
import { Subjects } from '@orch/contracts';
import { createDataSource } from '@orch/database';
import { EventStore } from '@orch/event-store';
import { PgApplier, PgAdvisoryLease, ProjectionRunner } from '../index';
import { counterProjection } from './counter-projection';

async function main() {
  const { NATS_URL, STREAM, PREFIX, DATABASE_URL, SCHEMA } = process.env as Record<string, string>;
  const nc = await connect({ servers: NATS_URL });
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const ds = createDataSource({ url: DATABASE_URL, schema: SCHEMA, service: 'projector', entities: [], migrations: [] });
  await ds.initialize();
  const runner = new ProjectionRunner(
    {
      js,
      jsm,
      store: new EventStore(js, jsm, STREAM),
      stream: STREAM,
      subjects: new Subjects(PREFIX),
      logger: pino({ level: 'warn' }),
      lease: new PgAdvisoryLease(DATABASE_URL, `${SCHEMA}:${counterProjection.name}`),
      batchSize: 50,
    },
    counterProjection.name,
    new PgApplier(ds, counterProjection),
  );
  runner.start();
}

void main();
