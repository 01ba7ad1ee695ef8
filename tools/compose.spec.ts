import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { GatewayConfig } from '@orch/config';
import { ServiceName } from '@orch/contracts';
import { AgentManagerEnv } from '../apps/agent-manager/src/config/settings';
import { NotifierConfig } from '../apps/notifier/src/config';

/**
 * Docker does not run everywhere the tests do, so the compose file and the Dockerfile are checked
 * here for what would break `docker compose up`: a service that is missing or points at a file
 * the build does not make, a dependency on an undefined service, a variable no service reads.
 */

const ROOT = join(__dirname, '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService>; volumes: Record<string, unknown> };
const services = compose.services;
const INFRA = ['nats', 'postgres', 'redis'];

describe('docker-compose.yml', () => {
  it('runs NATS with JetStream on a volume, Postgres 16 with the orchestrator database, and Redis 7, each with a healthcheck', () => {
    expect(services.nats!.command).toEqual(expect.arrayContaining(['-js', '-sd', '/data']));
    expect(services.nats!.volumes).toContainEqual(expect.stringMatching(/^[\w-]+:\/data$/));
    expect(services.postgres!.image).toMatch(/^postgres:16/);
    expect(services.postgres!.environment?.POSTGRES_DB).toBe('orchestrator');
    expect(services.redis!.image).toMatch(/^redis:7/);
    for (const name of INFRA) expect(services[name]!.healthcheck?.test.length).toBeGreaterThan(1);
  });

  it.each(ServiceName.options)('runs %s from the one Dockerfile, with its built entry point and an app to build it from', (name) => {
    const service = services[name];
    expect(service).toBeDefined();
    expect(service!.build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
    expect(service!.command).toEqual(['node', `dist/apps/${name}/src/main.js`]);
    expect(existsSync(join(ROOT, 'apps', name, 'src/main.ts'))).toBe(true);
    expect(service!.healthcheck?.test).toEqual(['CMD', 'node', 'tools/healthcheck.mjs', name]);
    for (const dep of INFRA) expect(service!.depends_on?.[dep]).toEqual({ condition: 'service_healthy' });
  });

  it('points every service at the compose hosts, with variables the configuration knows', () => {
    // Every variable some service reads (the gateway and the agent manager share AGENT_KEY_SECRET).
    const known = [...Object.keys(GatewayConfig.shape), ...Object.keys(NotifierConfig.shape), ...Object.keys(AgentManagerEnv.shape), 'AGENT_KEY_SECRET'];
    for (const name of ServiceName.options) {
      const env = services[name]!.environment ?? {};
      expect(new URL(env.NATS_URL!).hostname).toBe('nats');
      expect(new URL(env.DATABASE_URL!).hostname).toBe('postgres');
      expect(new URL(env.DATABASE_URL!).pathname).toBe('/orchestrator');
      expect(new URL(env.REDIS_URL!).hostname).toBe('redis');
      expect(Object.keys(env).filter((k) => !known.includes(k))).toEqual([]);
    }
  });

  it('publishes the gateway on port 3000, listening on every interface', () => {
    const gateway = services.gateway!;
    expect(gateway.environment).toMatchObject({ GATEWAY_HOST: '0.0.0.0', GATEWAY_PORT: '3000' });
    expect(gateway.ports).toEqual([expect.stringMatching(/:3000$/)]);
  });

  it('depends only on services and volumes it defines', () => {
    const problems = Object.entries(services).flatMap(([name, service]) => [
      ...Object.keys(service.depends_on ?? {})
        .filter((dep) => !(dep in services))
        .map((dep) => `${name} depends on undefined service ${dep}`),
      ...(service.volumes ?? [])
        .map((v) => v.split(':')[0]!)
        .filter((v) => !(v in compose.volumes))
        .map((v) => `${name} mounts undefined volume ${v}`),
    ]);
    expect(problems).toEqual([]);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  it('builds on Node 20.19 or newer with npm ci and npm run build', () => {
    const image = /ARG NODE_IMAGE=node:(\d+)(?:\.(\d+))?/.exec(dockerfile);
    expect(image).not.toBeNull();
    const [major, minor] = [Number(image![1]), image![2] === undefined ? Infinity : Number(image![2])];
    expect(major > 20 || (major === 20 && minor >= 19)).toBe(true);
    expect(dockerfile).toMatch(/npm ci/);
    expect(dockerfile).toMatch(/npm run build/);
  });

  it('is not sent the host node_modules or dist', () => {
    const ignored = read('.dockerignore').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist']));
  });
});
