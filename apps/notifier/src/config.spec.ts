import { ConfigError } from '@orch/config';
import { loadNotifierConfig } from './config';

describe('notifier configuration', () => {
  const key = Buffer.alloc(32, 7).toString('base64');

  it('allows loopback targets outside production, and not in production', () => {
    expect(loadNotifierConfig({ NODE_ENV: 'development' }).allowLoopback).toBe(true);
    expect(loadNotifierConfig({ NODE_ENV: 'production', WEBHOOK_SEAL_KEY: key }).allowLoopback).toBe(false);
    expect(loadNotifierConfig({ NODE_ENV: 'production', WEBHOOK_SEAL_KEY: key, WEBHOOK_ALLOW_LOOPBACK: 'true' }).allowLoopback).toBe(true);
  });

  it('refuses to run production on the development seal key', () => {
    expect(() => loadNotifierConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(loadNotifierConfig({ NODE_ENV: 'production', WEBHOOK_SEAL_KEY: key }).sealKey).toEqual(Buffer.alloc(32, 7));
  });

  it('names each bad variable', () => {
    expect(() => loadNotifierConfig({ WEBHOOK_SEAL_KEY: 'short', WEBHOOK_MAX_ATTEMPTS: '0', PUBLIC_URL: 'ftp://x' })).toThrow(/WEBHOOK_SEAL_KEY[\s\S]*WEBHOOK_MAX_ATTEMPTS[\s\S]*PUBLIC_URL/);
  });
});
