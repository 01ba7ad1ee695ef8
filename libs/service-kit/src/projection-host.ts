import type { Logger } from 'pino';
import { PgAdvisoryLease, PgApplier, ProjectionRunner, RedisApplier, type Projection } from '@orch/projections';
import type { Infrastructure } from './infrastructure';

const encoder = new TextEncoder();

/**
 * The projections one service keeps. It starts them, answers read-your-writes waits, and
 * rebuilds one on request (`<prefix>.ctl.projections.rebuild`), whichever instance holds it.
 */
export class ProjectionHost {
  private readonly runners = new Map<string, ProjectionRunner>();
  private readonly logger: Logger;

  constructor(private readonly infra: Infrastructure) {
    this.logger = infra.logger.child({ component: 'projections' });
  }

  register(projection: Projection): ProjectionRunner {
    const { infra } = this;
    if (this.runners.has(projection.name)) throw new Error(`projection ${projection.name} registered twice`);
    const applier =
      projection.kind === 'postgres'
        ? new PgApplier(required(infra.dataSource, `${projection.name} needs Postgres`), projection)
        : new RedisApplier(required(infra.redis, `${projection.name} needs Redis`), projection);
    const lease = new PgAdvisoryLease(infra.config.DATABASE_URL, `${infra.config.DB_SCHEMA}:${infra.config.NATS_STREAM}:${projection.name}`);
    const runner = new ProjectionRunner(
      { js: infra.js, jsm: infra.jsm, nc: infra.nc, store: infra.store, stream: infra.config.NATS_STREAM, subjects: infra.subjects, logger: this.logger, lease },
      projection.name,
      applier,
    );
    this.runners.set(projection.name, runner);
    return runner;
  }

  start(): void {
    for (const runner of this.runners.values()) runner.start();
    this.serveRebuild();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.runners.values()].map((r) => r.stop()));
  }

  /** True once every projection of this service has applied `seq`; false after `timeoutMs`. */
  async waitFor(seq: number, timeoutMs: number): Promise<boolean> {
    const results = await Promise.all([...this.runners.values()].map((r) => r.waitFor(seq, timeoutMs)));
    return results.every(Boolean);
  }

  /** The lowest position among this service's projections: what a read is guaranteed to include. */
  position(): number {
    const positions = [...this.runners.values()].map((r) => r.status().position);
    return positions.length ? Math.min(...positions) : 0;
  }

  get(name: string): ProjectionRunner | undefined {
    return this.runners.get(name);
  }

  /**
   * One subject per projection (`<prefix>.ctl.projections.rebuild.<name>`), subscribed only by
   * the services that keep it: "no responders" then reliably means that none is running.
   */
  private serveRebuild(): void {
    const { nc, subjects } = this.infra;
    for (const [name, runner] of this.runners) {
      nc.subscribe(subjects.control('projections', `rebuild.${name}`), {
        callback: (_err, msg) => {
          if (!runner.status().active) return; // another instance holds it and will answer
          void (async () => {
            this.logger.info({ projection: name }, 'rebuilding on request');
            try {
              await runner.rebuild();
              const seq = await runner.catchUp();
              msg.respond(encoder.encode(JSON.stringify({ ok: true, name, seq, service: this.infra.service })));
            } catch (error) {
              msg.respond(encoder.encode(JSON.stringify({ ok: false, name, error: (error as Error).message })));
            }
          })();
        },
      });
    }
  }
}

function required<T>(value: T | undefined, message: string): T {
  if (value === undefined) throw new Error(message);
  return value;
}
