import type { DynamicModule, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Subscription } from '@nats-io/transport-node';
import type { ServiceName } from '@orch/contracts';
import { BaseConfig, ConfigError, loadConfig } from '@orch/config';
import type { Projection } from '@orch/projections';
import { serveHealth, type HealthCheck } from '@orch/messaging';
import { DependencyUnreachable } from './dependency-error';
import { createLogger, openInfrastructure, type Infrastructure, type InfrastructureOptions } from './infrastructure';
import { PinoNestLogger } from './nest-logger';
import { ProjectionHost } from './projection-host';

export interface ServiceSpec {
  service: ServiceName;
  /** The app's root module, given the opened infrastructure. */
  module: (infra: Infrastructure) => DynamicModule;
  database?: InfrastructureOptions['database'];
  redis?: boolean;
  projections?: Projection[];
}

export interface RunningService {
  app: INestApplicationContext;
  infra: Infrastructure;
  projections: ProjectionHost;
  close(): Promise<void>;
}

/**
 * Starts one service: config → infrastructure → Nest → projections → health. Used by each app's
 * `main.ts` and, with an explicit env, by tests that run the real services in-process.
 */
export async function startService(spec: ServiceSpec, env: NodeJS.ProcessEnv = process.env): Promise<RunningService> {
  const config = loadConfig(BaseConfig, env);
  const infra = await openInfrastructure({ service: spec.service, config, database: spec.database, redis: spec.redis });
  let health: Subscription | undefined;
  try {
    const app = await NestFactory.createApplicationContext(spec.module(infra), { logger: new PinoNestLogger(infra.logger), abortOnError: false });
    const projections = app.get(ProjectionHost);
    for (const p of spec.projections ?? []) projections.register(p);
    await app.init();
    projections.start();
    health = serveHealth(infra.nc, infra.subjects, spec.service, healthChecks(infra));
    infra.logger.info({ stream: config.NATS_STREAM, schema: config.DB_SCHEMA }, `${spec.service} started`);
    return {
      app,
      infra,
      projections,
      async close() {
        health?.unsubscribe();
        await projections.stop();
        await app.close();
        await infra.close();
      },
    };
  } catch (error) {
    await infra.close();
    throw error;
  }
}

function healthChecks(infra: Infrastructure): Record<string, HealthCheck> {
  const checks: Record<string, HealthCheck> = {
    nats: async () => !infra.nc.isClosed(),
    eventLog: async () => (await infra.store.lastSeq()) >= 0,
  };
  if (infra.dataSource) checks.postgres = async () => (await infra.dataSource!.query('SELECT 1')).length === 1;
  if (infra.redis) checks.redis = async () => (await infra.redis!.ping()) === 'PONG';
  return checks;
}

/**
 * The `main.ts` of a service: starts it, waits for dependencies that are still coming up
 * (compose starts everything at once), stops cleanly on SIGTERM/SIGINT, and turns start-up
 * failures into one readable line instead of a stack trace.
 */
export async function runService(spec: ServiceSpec): Promise<void> {
  const logger = createLogger(spec.service, process.env.LOG_LEVEL ?? 'info');
  const rebuild = rebuildArgument(process.argv);
  const waitUntil = Date.now() + Number(process.env.STARTUP_WAIT_MS ?? 30_000);
  let running: RunningService | undefined;
  for (let attempt = 1; !running; attempt++) {
    try {
      running = await startService(spec);
    } catch (error) {
      if (error instanceof ConfigError) return fail(logger, error.message);
      if (!(error instanceof DependencyUnreachable)) return fail(logger, `${spec.service} failed to start: ${(error as Error).stack ?? error}`);
      if (Date.now() > waitUntil) return fail(logger, error.message);
      if (attempt === 1 || attempt % 5 === 0) logger.warn(`${error.message} Waiting for it...`);
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
  if (rebuild) return rebuildOffline(running, rebuild, logger);
  const stop = async (signal: string) => {
    logger.info({ signal }, `${spec.service} stopping`);
    const timer = setTimeout(() => process.exit(1), 10_000).unref();
    await running!.close().catch((e) => logger.error({ err: e }, 'error while stopping'));
    clearTimeout(timer);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

function fail(logger: ReturnType<typeof createLogger>, message: string): void {
  logger.fatal(message);
  process.stderr.write(`\n${message}\n`);
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100).unref();
}

/** `--rebuild <name>`: start, rebuild that projection from sequence 1, and exit when caught up. */
function rebuildArgument(argv: string[]): string | null {
  const i = argv.indexOf('--rebuild');
  return i >= 0 ? (argv[i + 1] ?? null) : null;
}

async function rebuildOffline(running: RunningService, name: string, logger: ReturnType<typeof createLogger>): Promise<void> {
  const runner = running.projections.get(name);
  if (!runner) {
    await running.close();
    return fail(logger, `${running.infra.service} has no projection named ${name}`);
  }
  const started = Date.now();
  await runner.rebuild();
  const seq = await runner.catchUp();
  logger.info({ projection: name, seq, ms: Date.now() - started }, 'projection rebuilt');
  process.stdout.write(`${JSON.stringify({ ok: true, name, seq, service: running.infra.service })}\n`);
  await running.close();
  process.exit(0);
}
