import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ConfigError, GatewayConfig, loadConfig } from '@orch/config';
import { createLogger, PinoNestLogger } from '@orch/service-kit';
import { DEV_KEYS, KeyRing, resolveApiKeys } from './auth/api-keys';
import { CONTROLLERS, GatewayModule } from './gateway.module';
import { API_PREFIX, discoverEndpoints, type DiscoveredEndpoint } from './http/discovery';
import { nestMethod } from './http/endpoint';
import { ResponseHeader } from './http/headers';
import { PROBLEM_CONTENT_TYPE, toProblem } from './http/problem';
import { ProblemFilter } from './http/problem.filter';
import { installRequestHooks } from './http/request-hooks';
import { buildOpenApiDocument } from './openapi/document';
import { openDependencies } from './ops/dependencies';
import { GatewayMetrics } from './ops/metrics';

export const API_VERSION = '1.0.0';

export interface RunningGateway {
  app: NestFastifyApplication;
  url: string;
  config: GatewayConfig;
  close(): Promise<void>;
}

export interface BootstrapOptions {
  /** Overrides GATEWAY_PORT; tests pass 0 for an ephemeral port (the config schema refuses 0). */
  port?: number;
  logger?: Logger;
}

/**
 * Starts the gateway: config → keys → dependencies → Nest on Fastify → listen. Used by `main.ts`
 * and, with an isolated env, by tests that run the gateway in-process.
 */
export async function bootstrap(env: NodeJS.ProcessEnv = process.env, opts: BootstrapOptions = {}): Promise<RunningGateway> {
  const config = loadConfig(GatewayConfig, env);
  const logger = opts.logger ?? createLogger('gateway', config.LOG_LEVEL);
  const keys = resolveApiKeys(config.ORCH_API_KEYS, config.NODE_ENV);
  const endpoints = discoverEndpoints(CONTROLLERS);
  const document = buildOpenApiDocument(endpoints, { serverUrl: config.PUBLIC_URL, version: API_VERSION });
  const deps = await openDependencies(config, logger);
  let app: NestFastifyApplication | undefined;
  try {
    const metrics = new GatewayMetrics();
    const adapter = new FastifyAdapter({
      bodyLimit: config.BODY_LIMIT_BYTES,
      logger: false,
      routerOptions: { maxParamLength: 500 },
      // Errors the router raises before any hook or handler runs (an over-long or badly encoded URL) are problems too.
      frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => {
        const correlationId = randomUUID();
        const problem = toProblem(error, request.url.slice(0, 200), correlationId);
        void reply.code(problem.status).header(ResponseHeader.correlationId, correlationId).type(PROBLEM_CONTENT_TYPE).send(problem);
      },
    });
    const fastify = adapter.getInstance() as unknown as FastifyInstance;
    // JSON is the only body format; anything else is a 415 rather than a string that fails validation.
    fastify.removeContentTypeParser('text/plain');
    installRequestHooks(fastify, logger, metrics);
    const served = recordRoutes(fastify);

    app = await NestFactory.create<NestFastifyApplication>(
      GatewayModule.forRoot({ config, logger, deps, keys: new KeyRing(keys.entries), metrics, document }),
      adapter,
      { logger: new PinoNestLogger(logger), bodyParser: false, abortOnError: false },
    );
    app.setGlobalPrefix(API_PREFIX, {
      exclude: endpoints.filter((e) => e.root).map((e) => ({ path: e.nestPath, method: nestMethod(e.spec.method) })),
    });
    app.useGlobalFilters(new ProblemFilter(logger));
    const port = opts.port ?? config.GATEWAY_PORT;
    await app.listen(port, config.GATEWAY_HOST).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EADDRINUSE' && e.code !== 'EACCES') throw e;
      throw new ConfigError([`GATEWAY_PORT: cannot listen on ${config.GATEWAY_HOST}:${port} (${e.code}); stop what uses it or choose another port`]);
    });
    assertEveryRouteDocumented(served, endpoints);

    const address = app.getHttpServer().address();
    const host = config.GATEWAY_HOST.includes(':') ? `[${config.GATEWAY_HOST}]` : config.GATEWAY_HOST;
    const url = `http://${host}:${typeof address === 'object' && address ? address.port : port}`;
    logger.info({ url, docs: `${url}/docs` }, `gateway listening on ${url} (docs at ${url}/docs)`);
    if (keys.development) {
      logger.warn(`ORCH_API_KEYS is not set; development keys accepted: ${DEV_KEYS.map((k) => `${k.key} (${k.role})`).join(', ')}`);
    }
    const started = app;
    return {
      app: started,
      url,
      config,
      async close() {
        await started.close();
        await deps.close();
      },
    };
  } catch (error) {
    await app?.close().catch(() => undefined);
    await deps.close();
    throw error;
  }
}

/** Every (method, path) Fastify registers; HEAD twins of GET routes are Fastify's own. */
function recordRoutes(fastify: FastifyInstance): Set<string> {
  const served = new Set<string>();
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') served.add(`${method} ${route.url}`);
  });
  return served;
}

/** The guarantee behind `/openapi.json`: a route that is served but not documented stops the start. */
function assertEveryRouteDocumented(served: Set<string>, endpoints: DiscoveredEndpoint[]): void {
  const documented = new Set(endpoints.map((e) => `${e.spec.method} ${e.path}`));
  const missing = [...served].filter((route) => !documented.has(route));
  if (missing.length > 0) throw new Error(`routes served without an @Endpoint in the OpenAPI document: ${missing.join(', ')}`);
}
