/** How to start each dependency on this machine, for a message a person can act on. */
const HOW_TO_START: Record<string, string> = {
  NATS: 'start it with `docker compose up -d nats`, or `nats-server -js` (Debian: apt install nats-server)',
  'NATS JetStream': 'start nats-server with JetStream enabled (`nats-server -js`)',
  Postgres: 'start it with `docker compose up -d postgres`, or `pg_ctlcluster <version> main start` (Debian: apt install postgresql)',
  Redis: 'start it with `docker compose up -d redis`, or `redis-server --daemonize yes` (Debian: apt install redis-server)',
};

/** A dependency that is not there at start-up; printed as one clear line, never a stack trace. */
export class DependencyUnreachable extends Error {
  constructor(
    readonly dependency: string,
    readonly address: string,
    cause: unknown,
  ) {
    super(`Cannot reach ${dependency} at ${address}: ${(cause as Error)?.message ?? cause}. ${HOW_TO_START[dependency] ? `To start it: ${HOW_TO_START[dependency]}.` : ''}`);
    this.name = 'DependencyUnreachable';
  }
}
