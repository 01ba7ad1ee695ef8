import { ValidationError } from '@orch/errors';
import { TargetPolicy } from './target-policy';

describe('the webhook target allow-list', () => {
  const production = TargetPolicy.fromList('', false);
  const development = TargetPolicy.fromList('', true);

  it('lets public addresses through in every mode', async () => {
    await expect(production.check('https://93.184.216.34/hook')).resolves.toBeUndefined();
    expect(production.whyNot('2606:4700::1111')).toBeNull();
  });

  it.each(['http://10.1.2.3/', 'http://172.20.0.1/', 'http://192.168.1.10/', 'http://169.254.169.254/latest/meta-data', 'http://[fd00::1]/', 'http://[::ffff:10.0.0.1]/', 'http://0.0.0.0/', 'http://100.64.0.1/'])(
    'refuses the private address %s in every mode',
    async (url) => {
      for (const policy of [production, development]) await expect(policy.check(url)).rejects.toMatchObject({ code: 'WEBHOOK.TARGET_REFUSED', errors: [{ path: 'url' }] });
    },
  );

  it('refuses loopback in production and allows it in development', async () => {
    for (const url of ['http://127.0.0.1:9000/', 'http://[::1]:9000/', 'http://localhost:9000/']) {
      await expect(production.check(url)).rejects.toBeInstanceOf(ValidationError);
      await expect(development.check(url)).resolves.toBeUndefined();
    }
  });

  it('allows what is listed: a name, an address or a range', async () => {
    const listed = TargetPolicy.fromList('localhost, 10.0.0.0/8,192.168.1.7', false);
    await expect(listed.check('http://localhost:9000/')).resolves.toBeUndefined();
    await expect(listed.check('http://10.9.9.9/')).resolves.toBeUndefined();
    await expect(listed.check('http://192.168.1.7/')).resolves.toBeUndefined();
    await expect(listed.check('http://192.168.1.8/')).rejects.toBeInstanceOf(ValidationError);
  });

  it('refuses a host that does not resolve', async () => {
    await expect(production.check('https://no-such-host.invalid/')).rejects.toMatchObject({ code: 'WEBHOOK.TARGET_REFUSED' });
  });

  it('refuses at connect time through its lookup', async () => {
    const err = await new Promise<Error | null>((resolve) => production.lookup('localhost', {}, (e) => resolve(e)));
    expect(err?.message).toMatch(/loopback/);
  });
});
