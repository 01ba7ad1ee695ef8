import { Global, Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { Infrastructure } from './infrastructure';
import { ProjectionHost } from './projection-host';
import { RpcExplorer } from './rpc-explorer';
import * as T from './tokens';

/**
 * Makes the opened infrastructure injectable everywhere in a service, under the tokens in
 * `tokens.ts`, and serves the `@RpcHandler` methods it finds.
 */
@Global()
@Module({})
export class ServiceKitModule {
  static forRoot(infra: Infrastructure): DynamicModule {
    const values = [
      { provide: T.INFRA, useValue: infra },
      { provide: T.CONFIG, useValue: infra.config },
      { provide: T.LOGGER, useValue: infra.logger },
      { provide: T.NATS, useValue: infra.nc },
      { provide: T.JETSTREAM, useValue: infra.js },
      { provide: T.JETSTREAM_MANAGER, useValue: infra.jsm },
      { provide: T.SUBJECTS, useValue: infra.subjects },
      { provide: T.EVENT_STORE, useValue: infra.store },
      { provide: T.RPC_SERVER, useValue: infra.rpc },
      { provide: T.SERVICE_NAME, useValue: infra.service },
      { provide: T.DATA_SOURCE, useValue: infra.dataSource ?? null },
      { provide: T.REDIS, useValue: infra.redis ?? null },
      { provide: ProjectionHost, useValue: new ProjectionHost(infra) },
    ];
    return {
      module: ServiceKitModule,
      imports: [DiscoveryModule],
      providers: [...values, RpcExplorer],
      exports: values.map((v) => v.provide),
    };
  }
}
