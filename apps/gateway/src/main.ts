import type { Logger } from 'pino';
import { ConfigError } from '@orch/config';
import { createLogger, DependencyUnreachable } from '@orch/service-kit';
import { bootstrap, type RunningGateway } from './bootstrap';

/**
 * The gateway's process: starts it, waits for NATS/Postgres/Redis that are still coming up
 * (compose starts everything at once), stops cleanly on SIGTERM/SIGINT, and turns start-up
 * failures into one readable line instead of a stack trace.
 */
export async function runGateway(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const logger = createLogger('gateway', env.LOG_LEVEL ?? 'info');
  const waitUntil = Date.now() + Number(env.STARTUP_WAIT_MS ?? 30_000);
  let running: RunningGateway | undefined;
  for (let attempt = 1; !running; attempt++) {
    try {
      running = await bootstrap(env, { logger });
    } catch (error) {
      if (error instanceof ConfigError) return fail(logger, `gateway: invalid configuration: ${error.problems.join('; ')}`);
      if (!(error instanceof DependencyUnreachable)) return fail(logger, `gateway failed to start: ${(error as Error).stack ?? error}`);
      if (Date.now() > waitUntil) return fail(logger, `gateway: ${error.message}`);
      if (attempt === 1 || attempt % 10 === 0) logger.warn(`${error.message} Waiting for it...`);
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
  const gateway = running;
  const stop = async (signal: string) => {
    logger.info({ signal }, 'gateway stopping');
    const timer = setTimeout(() => process.exit(1), 10_000).unref();
    await gateway.close().catch((e: unknown) => logger.error({ err: e }, 'error while stopping'));
    clearTimeout(timer);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

function fail(logger: Logger, message: string): void {
  logger.fatal(message);
  // Also on stderr as plain text: the JSON log line is for machines, this one for the person.
  process.stderr.write(`\n${message}\n`);
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100).unref();
}

if (require.main === module) void runGateway();
