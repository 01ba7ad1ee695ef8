import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import type { Logger } from 'pino';
import type { GatewayConfig } from '@orch/config';
import { RpcClient } from '@orch/messaging';
import { KeyRing } from './auth/api-keys';
import { AuthGuard } from './auth/auth.guard';
import { AgentsController } from './controllers/agents.controller';
import { BugsController } from './controllers/bugs.controller';
import { DocsController } from './controllers/docs.controller';
import { EventsController } from './controllers/events.controller';
import { SearchController } from './controllers/search.controller';
import { BudgetsController, ResourcesController } from './controllers/resources.controller';
import { HealthController } from './controllers/health.controller';
import { SprintsController } from './controllers/sprints.controller';
import { TasksController } from './controllers/tasks.controller';
import { PlansController } from './controllers/plans.controller';
import { WorkflowsController } from './controllers/workflows.controller';
import { WebhooksController } from './controllers/webhooks.controller';
import { MeController } from './controllers/me.controller';
import { SessionsController } from './controllers/sessions.controller';
import { TaskGitController } from './controllers/task-git.controller';
import { SessionLogsController } from './controllers/session-logs.controller';
import { EndpointInterceptor } from './http/endpoint.interceptor';
import type { OpenApiDocument } from './openapi/document';
import type { GatewayDependencies } from './ops/dependencies';
import { GatewayMetrics } from './ops/metrics';
import { parseRateLimits, RateLimiter } from './http/rate-limit';
import { EventHub } from './stream/event-hub';
import { SystemStatsReader } from './ops/system-stats';
import { StatsController } from './controllers/stats.controller';
import { ServiceCaller } from './rpc/service-caller';
import { DEPENDENCIES, GATEWAY_CONFIG, LOGGER, OPENAPI_DOCUMENT } from './tokens';

/** Every controller of the gateway. Discovery, the OpenAPI document and Nest all read this list. */
export const CONTROLLERS: readonly Type[] = [SprintsController, TasksController, BugsController, EventsController, HealthController, DocsController, StatsController, WebhooksController, PlansController, WorkflowsController, SessionsController, MeController, TaskGitController, AgentsController, SearchController, SessionLogsController, BudgetsController, ResourcesController];

export interface GatewayContext {
  config: GatewayConfig;
  logger: Logger;
  deps: GatewayDependencies;
  keys: KeyRing;
  metrics: GatewayMetrics;
  document: OpenApiDocument;
}

/**
 * Wires what bootstrap opened into Nest. The guard and the interceptor are global, so no route
 * can opt out of authentication or validation by forgetting a decorator.
 */
@Module({})
export class GatewayModule {
  static forRoot(ctx: GatewayContext): DynamicModule {
    return {
      module: GatewayModule,
      controllers: [...CONTROLLERS],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: ctx.config },
        { provide: LOGGER, useValue: ctx.logger },
        { provide: DEPENDENCIES, useValue: ctx.deps },
        { provide: OPENAPI_DOCUMENT, useValue: ctx.document },
        { provide: KeyRing, useValue: ctx.keys },
        { provide: GatewayMetrics, useValue: ctx.metrics },
        { provide: RpcClient, useValue: new RpcClient(ctx.deps.nc, ctx.deps.subjects, ctx.config.RPC_TIMEOUT_MS) },
        ServiceCaller,
        { provide: SystemStatsReader, useFactory: () => observed(new SystemStatsReader(ctx.deps, ctx.config), ctx.metrics) },
        { provide: RateLimiter, useValue: new RateLimiter(ctx.deps.redis, parseRateLimits(ctx.config.RATE_LIMITS), ctx.logger) },
        { provide: EventHub, useValue: new EventHub(ctx.deps.nc, ctx.config.NATS_STREAM, ctx.logger) },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_INTERCEPTOR, useClass: EndpointInterceptor },
      ],
    };
  }
}

/** The statistics `/stats` answers are also what `/metrics` exports at each scrape. */
function observed(reader: SystemStatsReader, metrics: GatewayMetrics): SystemStatsReader {
  metrics.observeSystem(() => reader.read());
  return reader;
}
