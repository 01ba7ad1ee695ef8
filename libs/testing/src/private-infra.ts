import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { ListenedClient } from '@orch/database';
import { freePort } from './system';
import { waitFor } from './wait-for';

/**
 * Postgres, Redis and NATS of one test's own, on free loopback ports, with their data in a
 * temporary directory, so a test can stop, restart and SIGKILL them without touching the
 * machine's shared servers (other test files run against those in parallel).
 */
export interface PrivateServer {
  readonly name: string;
  readonly url: string;
  start(): Promise<void>;
  /** A clean stop that keeps the data. */
  stop(): Promise<void>;
  /** A crash: SIGKILL (Postgres: `pg_ctl stop -m immediate`, which recovers from WAL on start). */
  kill(): Promise<void>;
  restart(opts?: { hard?: boolean }): Promise<void>;
}

abstract class ProcessServer implements PrivateServer {
  protected proc?: ChildProcess;
  constructor(
    readonly name: string,
    readonly port: number,
    protected readonly dir: string,
  ) {}
  abstract readonly url: string;
  protected abstract command(): [string, string[]];
  protected abstract ready(): Promise<boolean>;

  async start(): Promise<void> {
    const [cmd, args] = this.command();
    this.proc = spawn(cmd, args, { stdio: 'ignore' });
    await waitFor(`${this.name} on port ${this.port}`, () => this.ready().catch(() => false), { timeoutMs: 20_000, intervalMs: 100 });
  }

  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  async restart({ hard = false } = {}): Promise<void> {
    await (hard ? this.kill() : this.stop());
    await this.start();
  }

  protected async signal(signal: NodeJS.Signals): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill(signal);
    });
    // The port is free once nothing accepts on it any more.
    await waitFor(`${this.name} to release port ${this.port}`, async () => !(await portOpen(this.port)), { timeoutMs: 10_000, intervalMs: 50 });
  }
}

class PrivateNats extends ProcessServer {
  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }
  protected command(): [string, string[]] {
    return [process.env.NATS_SERVER_BIN ?? 'nats-server', ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.dir]];
  }
  protected async ready(): Promise<boolean> {
    const nc = await connect({ servers: this.url, timeout: 1_000, reconnect: false });
    try {
      await (await jetstreamManager(nc)).getAccountInfo();
      return true;
    } finally {
      await nc.close();
    }
  }
}

class PrivateRedis extends ProcessServer {
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }
  protected command(): [string, string[]] {
    return [process.env.REDIS_SERVER_BIN ?? 'redis-server', ['--bind', '127.0.0.1', '--port', String(this.port), '--save', '', '--appendonly', 'no', '--dir', this.dir]];
  }
  protected ready(): Promise<boolean> {
    return portOpen(this.port);
  }
  /** `SHUTDOWN SAVE` writes a snapshot that the next start loads: a clean stop keeps the keys. */
  override async stop(): Promise<void> {
    const redis = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    await redis.connect().then(() => redis.call('SHUTDOWN', 'SAVE')).catch(() => undefined);
    redis.disconnect();
    await this.signal('SIGTERM');
  }
}

/** Debian puts the server binaries in /usr/lib/postgresql/<major>/bin, not on PATH. */
function pgBin(tool: string): string {
  const root = '/usr/lib/postgresql';
  const major = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a))[0] : undefined;
  return major ? join(root, major, 'bin', tool) : tool;
}

/** Postgres refuses to run as root: every pg tool runs as the `postgres` user when we are root. */
function asPostgres(tool: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', pgBin(tool), ...args]] : [pgBin(tool), args];
}

class PrivatePostgres implements PrivateServer {
  readonly name = 'postgres';
  constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  init(): void {
    if (process.getuid?.() === 0) chownSync(this.dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
    run(...asPostgres('initdb', ['-D', join(this.dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']));
  }

  async start(): Promise<void> {
    // fsync off: these tests crash processes, never the OS, and the page cache survives a process.
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
    run(...asPostgres('pg_ctl', ['-D', join(this.dir, 'data'), '-o', opts, '-l', join(this.dir, 'log'), '-w', '-t', '60', 'start']));
    await waitFor('postgres to accept queries', async () => {
      // A shutdown racing the probe fails one attempt instead of crashing the test process.
      const c = new ListenedClient({ connectionString: this.url, connectionTimeoutMillis: 1_000 });
      await c.connect();
      await c.end();
      return true;
    }, { timeoutMs: 30_000, intervalMs: 100 });
  }

  async stop(): Promise<void> {
    run(...asPostgres('pg_ctl', ['-D', join(this.dir, 'data'), '-m', 'fast', '-w', 'stop']));
  }

  async kill(): Promise<void> {
    run(...asPostgres('pg_ctl', ['-D', join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']));
  }

  async restart({ hard = false } = {}): Promise<void> {
    await (hard ? this.kill() : this.stop());
    await this.start();
  }

  running(): boolean {
    return existsSync(join(this.dir, 'data', 'postmaster.pid'));
  }
}

export class PrivateInfra {
  private constructor(
    readonly nats: PrivateServer,
    readonly postgres: PrivateServer,
    readonly redis: PrivateServer,
    private readonly root: string,
    private readonly pg: PrivatePostgres,
  ) {}

  static async start(): Promise<PrivateInfra> {
    const root = mkdtempSync(join(tmpdir(), 'orch-infra-'));
    chmodSync(root, 0o711); // the postgres user must reach its data directory inside
    const pgDir = mkdtempSync(join(root, 'pg-'));
    const pg = new PrivatePostgres(await freePort(), pgDir);
    const infra = new PrivateInfra(new PrivateNats('nats-server', await freePort(), join(root, 'nats')), pg, new PrivateRedis('redis-server', await freePort(), mkdtempSync(join(root, 'redis-'))), root, pg);
    try {
      pg.init();
      await Promise.all([infra.nats.start(), pg.start(), infra.redis.start()]);
    } catch (error) {
      await infra.stop();
      throw error;
    }
    return infra;
  }

  /** Env for services and SystemUnderTest: everything points at these servers. */
  get env(): NodeJS.ProcessEnv {
    return { NATS_URL: this.nats.url, DATABASE_URL: this.postgres.url, REDIS_URL: this.redis.url };
  }

  async stop(): Promise<void> {
    await this.nats.kill().catch(() => undefined);
    await this.redis.kill().catch(() => undefined);
    if (this.pg.running()) await this.pg.kill().catch(() => undefined);
    rmSync(this.root, { recursive: true, force: true });
  }
}

function run(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: 'pipe', timeout: 90_000 });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
