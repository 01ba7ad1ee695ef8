import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import type { Logger } from 'pino';
import type { GatewayConfig } from '@orch/config';
import { RpcClient } from '@orch/messaging';
import { KeyRing } from './auth/api-keys';
import { AuthGuard } from './auth/auth.guard';
import { BugsController } from './controllers/bugs.controller';
import { DocsController } from './controllers/docs.controller';
import { EventsController } from './controllers/events.controller';
import { HealthController } from './controllers/health.controller';
import { SprintsController } from './controllers/sprints.controller';
import { TasksController } from './controllers/tasks.controller';
import { EndpointInterceptor } from './http/endpoint.interceptor';
import type { OpenApiDocument } from './openapi/document';
import type { GatewayDependencies } from './ops/dependencies';
import { GatewayMetrics } from './ops/metrics';
import { ServiceCaller } from './rpc/service-caller';
import { DEPENDENCIES, GATEWAY_CONFIG, LOGGER, OPENAPI_DOCUMENT } from './tokens';

/** Every controller of the gateway. Discovery, the OpenAPI document and Nest all read this list. */
export const CONTROLLERS: readonly Type[] = [SprintsController, TasksController, BugsController, EventsController, HealthController, DocsController];

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
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_INTERCEPTOR, useClass: EndpointInterceptor },
      ],
    };
  }
}
