import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Subjects } from '@orch/contracts';
import { EventStore } from '@orch/event-store';
import { isolatedEnv, type IsolatedEnv } from './isolated-env';
import { waitFor } from './wait-for';

export const ALL_SERVICES = ['planner', 'agent-manager', 'session-service', 'bug-service', 'search-service', 'notifier'] as const;

const ROOT = join(__dirname, '..', '..', '..');

/** A free TCP port on loopback, for a gateway started by a test. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * The whole system as real processes from `dist/` (what `npm start` runs), isolated by its own
 * stream, subject prefix, schema and Redis prefix. Tests drive it over HTTP, and may kill and
 * restart any process.
 */
export class SystemUnderTest {
  private readonly processes = new Map<string, ChildProcess>();
  readonly output: string[] = [];
  /** Error-level log lines (pino level ≥ 50) of every service, kept apart so a long run's chatter cannot push them out. */
  readonly errors: string[] = [];
  private nats?: Promise<{ nc: NatsConnection; jsm: JetStreamManager; store: EventStore }>;

  private constructor(
    readonly iso: IsolatedEnv,
    readonly url: string,
    readonly services: readonly string[],
  ) {}

  static async start(opts: { services?: readonly string[]; env?: NodeJS.ProcessEnv } = {}): Promise<SystemUnderTest> {
    const entry = (app: string) => join(ROOT, 'dist', 'apps', app, 'src', 'main.js');
    if (!existsSync(entry('gateway'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does it for you)');
    const port = await freePort();
    const iso = isolatedEnv({ GATEWAY_PORT: String(port), ORCH_API_KEYS: '', RPC_TIMEOUT_MS: '3000', ...opts.env });
    const services = opts.services ?? ALL_SERVICES;
    const system = new SystemUnderTest(iso, `http://127.0.0.1:${port}`, services);
    for (const app of [...services, 'gateway']) system.spawn(app);
    try {
      await system.waitReady();
    } catch (error) {
      await system.stop();
      throw error;
    }
    return system;
  }

  spawn(app: string): void {
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'apps', app, 'src', 'main.js')], { env: this.iso.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      const text = chunk.toString();
      this.output.push(`[${app}] ${text}`);
      if (this.output.length > 500) this.output.shift();
      for (const line of text.split('\n')) {
        if (!/"level":(5\d|6\d)\b/.test(line)) continue;
        this.errors.push(`[${app}] ${line}`);
        if (this.errors.length > 200) this.errors.shift();
      }
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.processes.set(app, child);
  }

  /** SIGKILL: no cleanup, exactly like a crash. Resolves when the process is gone. */
  async kill(app: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.processes.get(app);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }

  /** Ready when `/ready` reports the infrastructure and every service this test started as up. */
  async waitReady(timeoutMs = 30_000): Promise<void> {
    const needed = ['nats', 'postgres', 'redis', ...this.services];
    await waitFor(
      `${needed.join(', ')} to be up (GET /ready)`,
      async () => {
        const res = await fetch(`${this.url}/ready`).catch(() => null);
        const checks = ((await res?.json().catch(() => null)) as { checks?: Record<string, string> } | null)?.checks ?? {};
        return needed.every((name) => checks[name] === 'up');
      },
      { timeoutMs, intervalMs: 100 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n--- service output ---\n${this.output.slice(-40).join('')}`);
    });
  }

  fetch(path: string, init: { method?: string; key?: string | null; json?: unknown; body?: string; headers?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers };
    if (init.key !== null) headers.authorization = `Bearer ${init.key ?? 'dev-admin-key'}`;
    let body = init.body;
    if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      headers['content-type'] ??= 'application/json';
    }
    return fetch(this.url + path, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  }

  /** The system's stream, read directly (one connection per system, opened on first use). */
  async jsm(): Promise<JetStreamManager> {
    this.nats ??= (async () => {
      const nc = await connect({ servers: this.iso.env.NATS_URL!.split(',') });
      const jsm = await jetstreamManager(nc);
      return { nc, jsm, store: new EventStore(jetstream(nc), jsm, this.iso.env.NATS_STREAM!) };
    })();
    return (await this.nats).jsm;
  }

  /** The system's event log, to read what a test's requests appended (same connection as jsm()). */
  async store(): Promise<EventStore> {
    await this.jsm();
    return (await this.nats!).store;
  }

  /** The subjects of the system's stream (its own prefix). */
  get subjects(): Subjects {
    return new Subjects(this.iso.env.NATS_SUBJECT_PREFIX!);
  }

  /** The stream's last sequence: a write that was refused must leave it where it was. */
  async lastSeq(): Promise<number> {
    return (await (await this.jsm()).streams.info(this.iso.env.NATS_STREAM!)).state.last_seq;
  }

  async stop(): Promise<void> {
    if (this.nats) await (await this.nats).nc.close().catch(() => undefined);
    await Promise.all([...this.processes.keys()].map((app) => this.kill(app, 'SIGTERM')));
    await this.iso.cleanup();
  }
}
