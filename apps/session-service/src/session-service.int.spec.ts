import { connect } from '@nats-io/transport-node';
import { askHealth } from '@orch/messaging';
import { startService, type RunningService } from '@orch/service-kit';
import { isolatedEnv, type IsolatedEnv } from '@orch/testing';
import { sessionServiceService } from './app.module';

describe('session-service', () => {
  let iso: IsolatedEnv;
  let running: RunningService | undefined;

  beforeAll(async () => {
    iso = isolatedEnv();
    running = await startService(sessionServiceService, iso.env);
  });

  afterAll(async () => {
    await running?.close();
    await iso?.cleanup();
  });

  it('joins NATS, creates the event stream with its safe settings, and answers health on its subject', async () => {
    const { nc, jsm, subjects } = running!.infra;
    expect(subjects.health('session-service')).toBe(`${iso.env.NATS_SUBJECT_PREFIX}.health.session-service`);
    const report = await askHealth(nc, subjects, 'session-service', 2_000);
    expect(report).toMatchObject({ service: 'session-service', status: 'up', checks: { nats: 'up', eventLog: 'up' } });
    const stream = await jsm.streams.info(iso.env.NATS_STREAM!);
    expect(stream.config).toMatchObject({ discard: 'new', deny_delete: true, deny_purge: true });
  });

  it('stops answering once closed', async () => {
    const { subjects } = running!.infra;
    await running!.close();
    running = undefined;
    const probe = await connect({ servers: iso.env.NATS_URL! });
    await expect(askHealth(probe, subjects, 'session-service', 500)).resolves.toBeNull();
    await probe.close();
  });
});
