import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PlannerRoutes, type RpcRoute } from '@orch/contracts';
import { RpcClient } from '@orch/messaging';
import { startService, type RunningService } from '@orch/service-kit';
import { isolatedEnv, type IsolatedEnv } from '@orch/testing';
import { agentManagerSpec } from '../apps/agent-manager/src/app.module';
import { bootstrap, type RunningGateway } from '../apps/gateway/src/bootstrap';
import { plannerService } from '../apps/planner/src/planner';

const SHIPPED_AGENTS = join(__dirname, '..', 'config', 'agents.yaml');

export interface AgentsSystemOptions {
  /** Agent-manager instances sharing the log (default 1). */
  managers?: number;
  env?: Record<string, string>;
  /** Edits the shipped config/agents.yaml for this test (e.g. a larger per-type quota). */
  agentsYaml?: (shipped: string) => string;
}

/**
 * The planner, the gateway and N agent managers in this process, over one isolated stream,
 * schema and Redis prefix: real NATS, Postgres and Redis, real HTTP, and spawned agents that are
 * real child processes calling the gateway.
 */
export class AgentsSystem {
  private constructor(
    readonly iso: IsolatedEnv,
    readonly planner: RunningService,
    readonly gateway: RunningGateway,
    readonly managers: RunningService[],
    readonly rpc: RpcClient,
    private readonly dir: string,
  ) {}

  static async start(opts: AgentsSystemOptions = {}): Promise<AgentsSystem> {
    const dir = mkdtempSync(join(tmpdir(), 'orch-agents-'));
    const agentsConfig = join(dir, 'agents.yaml');
    writeFileSync(agentsConfig, (opts.agentsYaml ?? ((s) => s))(readFileSync(SHIPPED_AGENTS, 'utf8')));
    const iso = isolatedEnv({ AGENTS_CONFIG: agentsConfig, RPC_TIMEOUT_MS: '3000', RATE_LIMITS: 'off', ...opts.env });
    const opened: Array<{ close(): Promise<void> }> = [];
    try {
      const planner = await startService(plannerService, iso.env);
      opened.push(planner);
      const gateway = await bootstrap(iso.env, { port: 0 });
      opened.push(gateway);
      iso.env.ORCH_URL = gateway.url;
      const managers: RunningService[] = [];
      for (let i = 0; i < (opts.managers ?? 1); i++) {
        managers.push(await startService(agentManagerSpec(iso.env), iso.env));
        opened.push(managers[i]!);
      }
      return new AgentsSystem(iso, planner, gateway, managers, new RpcClient(planner.infra.nc, planner.infra.subjects, 10_000), dir);
    } catch (error) {
      for (const o of opened.reverse()) await o.close().catch(() => undefined);
      await iso.cleanup();
      throw error;
    }
  }

  get store() {
    return this.planner.infra.store;
  }

  /** A direct call to a service (fast set-up of many tasks), as an operator. */
  async call<T = any>(route: RpcRoute, payload: unknown, expectedVersion?: number): Promise<T> {
    const meta = { actor: { kind: 'human' as const, id: 'operator' }, commandId: randomUUID(), issuedAt: new Date().toISOString(), ...(expectedVersion !== undefined ? { expectedVersion } : {}) };
    return (await this.rpc.call(route, payload as never, { meta, correlationId: randomUUID() })).value as T;
  }

  http(path: string, init: { method?: string; key?: string | null; json?: unknown; body?: string; headers?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers };
    if (init.key !== null) headers.authorization = `Bearer ${init.key ?? 'dev-admin-key'}`;
    let body = init.body;
    if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      headers['content-type'] ??= 'application/json';
    }
    return fetch(this.gateway.url + path, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  }

  /** Creates READY tasks in a sprint (BACKLOG → READY through the planner). */
  async readyTasks(sprintCode: string, codes: string[], extra: Record<string, unknown> = {}, concurrency = 20): Promise<void> {
    await pool(codes, concurrency, async (code) => {
      await this.call(PlannerRoutes.createTask, { code, sprintCode, title: `Work on ${code}`, ...extra });
      await this.call(PlannerRoutes.updateTask, { code, changes: { status: 'READY' } });
    });
  }

  async taskEvents(code: string) {
    const commits = await this.store.readSubject(this.planner.infra.subjects.aggregate('task', code));
    return commits.flatMap((c) => c.events);
  }

  async agentEvents(id: string) {
    const commits = await this.store.readSubject(this.planner.infra.subjects.aggregate('agent', id));
    return commits.flatMap((c) => c.events);
  }

  async stop(): Promise<void> {
    for (const m of this.managers) await m.close().catch(() => undefined);
    await this.gateway?.close().catch(() => undefined);
    await this.planner?.close().catch(() => undefined);
    await this.iso.cleanup();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function pool<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}
