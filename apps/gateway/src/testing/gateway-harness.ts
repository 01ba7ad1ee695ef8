import type { Msg, Subscription } from '@nats-io/transport-node';
import { Headers as NatsHeaders, type HealthReport, type RpcMeta, type RpcReply, type RpcRoute } from '@orch/contracts';
import { natsTestContext, pgTestSchema, redisTestPrefix, TEST_DATABASE_URL, TEST_NATS_URL, TEST_REDIS_URL, type NatsTestContext, type PgTestSchema } from '@orch/testing';
import { bootstrap, type RunningGateway } from '../bootstrap';

/** What a fake service saw of one call. */
export interface SeenCall {
  meta: RpcMeta;
  payload: unknown;
  correlationId: string | undefined;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A gateway started in-process on an ephemeral port, against its own NATS subject prefix,
 * Postgres schema and Redis prefix, with helpers to stand in for the services it calls.
 */
export class GatewayHarness {
  private readonly subscriptions: Subscription[] = [];

  private constructor(
    readonly gateway: RunningGateway,
    readonly nats: NatsTestContext,
    private readonly pg: PgTestSchema,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<GatewayHarness> {
    const nats = await natsTestContext();
    const pg = await pgTestSchema();
    const gateway = await bootstrap(
      {
        NODE_ENV: 'test',
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
        NATS_URL: TEST_NATS_URL,
        NATS_SUBJECT_PREFIX: nats.subjects.prefix,
        NATS_STREAM: nats.stream,
        DATABASE_URL: TEST_DATABASE_URL,
        DB_SCHEMA: pg.schema,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_PREFIX: redisTestPrefix(),
        RPC_TIMEOUT_MS: '1500',
        ...env,
      },
      { port: 0 },
    );
    return new GatewayHarness(gateway, nats, pg);
  }

  /** A plain NATS subscriber answering one route the way a service would; records each call. */
  fakeRoute(route: RpcRoute, answer: (call: SeenCall) => RpcReply, { delayMs = 0 }: { delayMs?: number } = {}): SeenCall[] {
    const calls: SeenCall[] = [];
    const sub = this.nats.nc.subscribe(this.nats.subjects.rpc(route.service, route.name), {
      callback: (_err, msg: Msg) => {
        const { meta, payload } = JSON.parse(decoder.decode(msg.data)) as { meta: RpcMeta; payload: unknown };
        const call = { meta, payload, correlationId: msg.headers?.get(NatsHeaders.correlationId) };
        calls.push(call);
        const respond = () => msg.respond(encoder.encode(JSON.stringify(answer(call))));
        if (delayMs > 0) setTimeout(respond, delayMs);
        else respond();
      },
    });
    this.subscriptions.push(sub);
    return calls;
  }

  /** Answers a service's health request, as `serveHealth` does. */
  fakeHealth(service: string, status: HealthReport['status'] = 'up'): Subscription {
    const sub = this.nats.nc.subscribe(this.nats.subjects.health(service), {
      callback: (_err, msg) => {
        const report: HealthReport = { service, instance: `${service}-fake`, status, uptimeSeconds: 1, checks: { nats: 'up' } };
        msg.respond(encoder.encode(JSON.stringify(report)));
      },
    });
    this.subscriptions.push(sub);
    return sub;
  }

  /** An HTTP request to the gateway; `key` becomes the bearer credential. */
  async fetch(path: string, init: { method?: string; key?: string; json?: unknown; body?: string; headers?: Record<string, string> } = {}): Promise<Response> {
    // A fake route subscribed just before must be known to the server before the gateway calls it
    // (otherwise NATS answers "no responders" and the test sees a 503): flush is a round trip.
    await this.nats.nc.flush();
    const headers: Record<string, string> = { ...init.headers };
    if (init.key) headers.authorization = `Bearer ${init.key}`;
    let body = init.body;
    if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      headers['content-type'] ??= 'application/json';
    }
    return await fetch(this.gateway.url + path, { method: init.method ?? 'GET', headers, body });
  }

  async close(): Promise<void> {
    for (const sub of this.subscriptions) sub.unsubscribe();
    await this.gateway.close();
    await this.nats.close();
    await this.pg.drop();
  }
}
