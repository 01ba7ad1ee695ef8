import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { RpcRoute } from '@orch/contracts';
import type { HandlerResult, RpcContext } from '@orch/messaging';
import type { Infrastructure } from './infrastructure';
import { ProjectionHost } from './projection-host';
import { RPC_ROUTE } from './rpc-handler.decorator';
import { asUnavailable } from './unavailable';
import { INFRA } from './tokens';

/** How long a query waits for `minSeq` when the caller does not say (SPEC §3: 2 s). */
const DEFAULT_READ_WAIT_MS = 2_000;

/**
 * Finds every `@RpcHandler` method and serves it on NATS. Queries first wait (bounded) until
 * the service's read models have applied the caller's `minSeq`: read-your-writes.
 */
@Injectable()
export class RpcExplorer implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly projections: ProjectionHost,
    @Inject(INFRA) private readonly infra: Infrastructure,
  ) {}

  onApplicationBootstrap(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const route = this.reflector.get<RpcRoute | undefined>(RPC_ROUTE, (instance as Record<string, () => unknown>)[method]!);
        if (!route) continue;
        const bound = (instance[method] as (p: unknown, c: RpcContext) => Promise<HandlerResult<unknown>>).bind(instance);
        const handler = (p: unknown, c: RpcContext) =>
          bound(p, c).catch((error: unknown) => {
            throw asUnavailable(error);
          });
        this.infra.rpc.serve(route, route.kind === 'query' ? this.consistentRead(handler) : handler);
      }
    }
  }

  private consistentRead(handler: (p: unknown, c: RpcContext) => Promise<HandlerResult<unknown>>) {
    return async (payload: unknown, ctx: RpcContext): Promise<HandlerResult<unknown>> => {
      if (ctx.meta.minSeq) await this.projections.waitFor(ctx.meta.minSeq, ctx.meta.readWaitMs ?? DEFAULT_READ_WAIT_MS);
      const readSeq = this.projections.position();
      const result = await handler(payload, ctx);
      return { ...result, readSeq: result.readSeq ?? readSeq };
    };
  }
}
