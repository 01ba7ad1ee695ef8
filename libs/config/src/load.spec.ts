import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BaseConfig, ConfigError, GatewayConfig, loadConfig, repoConfigDir } from './index';

describe('configuration from the environment', () => {
  it('fills in defaults that run against the local servers', () => {
    const config = loadConfig(BaseConfig, {});
    expect(config).toMatchObject({ NATS_URL: 'nats://127.0.0.1:4222', NATS_STREAM: 'ORCH_EVENTS', NATS_REPLICAS: 1, DB_SCHEMA: 'public', NATS_DUPLICATE_WINDOW_MS: 120_000 });
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig(GatewayConfig, { GATEWAY_PORT: '' }).GATEWAY_PORT).toBe(3000);
  });

  it('reports every bad variable at once, with the value it had', () => {
    let error: unknown;
    try {
      loadConfig(GatewayConfig, { NATS_REPLICAS: '2', GATEWAY_PORT: 'eighty', DATABASE_URL: 'mysql://x', ORCH_API_KEYS: 'short:admin' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toEqual([
      expect.stringMatching(/^NATS_REPLICAS: must be 1, 3 or 5 \(got "2"\)$/),
      expect.stringMatching(/^DATABASE_URL: must be a URL starting with postgres: or postgresql:\/\/ \(got "mysql:\/\/x"\)$/),
      expect.stringMatching(/^GATEWAY_PORT: .+ \(got "eighty"\)$/),
      expect.stringMatching(/^ORCH_API_KEYS: must be key:role pairs/),
    ]);
    expect((error as Error).message).toContain('Invalid configuration:\n  - NATS_REPLICAS');
  });

  it('accepts API keys as key:role pairs', () => {
    expect(loadConfig(GatewayConfig, { ORCH_API_KEYS: 'k1k1k1k1k1:admin,k2k2k2k2k2:agent' }).ORCH_API_KEYS).toBe('k1k1k1k1k1:admin,k2k2k2k2k2:agent');
  });
});

describe('repoConfigDir', () => {
  it("finds the repository's config/ by what it holds, from src/ as from dist/, and says null for what no config/ holds", () => {
    const dir = repoConfigDir('orchestration.yaml');
    expect(dir).toMatch(/\/config$/);
    expect(existsSync(join(dir!, 'plans'))).toBe(true);
    expect(repoConfigDir('plans')).toBe(dir);
    expect(repoConfigDir('no-such-entry.yaml')).toBeNull();
  });
});
