import { connect } from '@nats-io/transport-node';
import { askHealth } from '@orch/messaging';
import { startService, type RunningService, type ServiceSpec } from '@orch/service-kit';
import { isolatedEnv, type IsolatedEnv } from './isolated-env';

/**
 * What every service must do before it has features: start in an isolated environment, join
 * NATS, create the event stream with its safe settings, answer health on its subject, and stop
 * answering once closed. One call per service's int spec.
 */
export function describeServiceStartup(spec: ServiceSpec): void {
  const name = spec.service;

  describe(`${name} start-up`, () => {
    let iso: IsolatedEnv;
    let running: RunningService | undefined;

    beforeAll(async () => {
      iso = isolatedEnv();
      running = await startService(spec, iso.env);
    });

    afterAll(async () => {
      await running?.close();
      await iso?.cleanup();
    });

    it('joins NATS, creates the event stream with its safe settings, and answers health on its subject', async () => {
      const { nc, jsm, subjects } = running!.infra;
      expect(subjects.health(name)).toBe(`${iso.env.NATS_SUBJECT_PREFIX}.health.${name}`);
      const report = await askHealth(nc, subjects, name, 2_000);
      expect(report).toMatchObject({ service: name, status: 'up', checks: { nats: 'up', eventLog: 'up' } });
      const stream = await jsm.streams.info(iso.env.NATS_STREAM!);
      expect(stream.config).toMatchObject({ discard: 'new', deny_delete: true, deny_purge: true });
    });

    it('stops answering once closed', async () => {
      const { subjects } = running!.infra;
      await running!.close();
      running = undefined;
      const probe = await connect({ servers: iso.env.NATS_URL! });
      await expect(askHealth(probe, subjects, name, 500)).resolves.toBeNull();
      await probe.close();
    });
  });
}
