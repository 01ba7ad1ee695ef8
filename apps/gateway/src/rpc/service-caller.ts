import { Inject, Injectable } from '@nestjs/common';
import type { z } from 'zod';
import type { GatewayConfig } from '@orch/config';
import type { RpcMeta, RpcRoute } from '@orch/contracts';
import { OrchError } from '@orch/errors';
import { RpcClient } from '@orch/messaging';
import type { Caller } from '../http/request-state';
import { GatewayMetrics } from '../ops/metrics';
import { GATEWAY_CONFIG } from '../tokens';

/** A service's answer as a handler returns it; the endpoint interceptor turns it into headers and a body. */
export class ServiceReply<T = unknown> {
  constructor(
    readonly value: T,
    readonly seq?: number,
    readonly readSeq?: number,
  ) {}
}

/**
 * Calls a back-end service on behalf of the HTTP caller: builds `RpcMeta` from the request
 * (actor, command id, read-your-writes, If-Match), carries the correlation id, and counts
 * failures by code. Errors are rethrown as they came: the problem filter maps them.
 */
@Injectable()
export class ServiceCaller {
  constructor(
    private readonly rpc: RpcClient,
    private readonly metrics: GatewayMetrics,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async call<Req extends z.ZodType, Res extends z.ZodType>(route: RpcRoute<Req, Res>, payload: z.input<Req>, caller: Caller): Promise<ServiceReply<z.infer<Res>>> {
    const isQuery = route.kind === 'query';
    const meta: RpcMeta = {
      actor: caller.principal.actor,
      commandId: caller.commandId,
      issuedAt: new Date().toISOString(),
      ...(isQuery && caller.minSeq !== undefined ? { minSeq: caller.minSeq, readWaitMs: this.config.READ_WAIT_MS } : {}),
      ...(!isQuery && caller.expectedVersion !== undefined ? { expectedVersion: caller.expectedVersion } : {}),
    };
    // A read that waits for its minimum sequence may take that long before it starts to answer.
    const timeoutMs = this.config.RPC_TIMEOUT_MS + (meta.minSeq !== undefined ? this.config.READ_WAIT_MS : 0);
    const started = process.hrtime.bigint();
    try {
      const result = await this.rpc.call(route, payload, { meta, correlationId: caller.correlationId, timeoutMs });
      return new ServiceReply(result.value, result.seq, result.readSeq);
    } catch (error) {
      this.metrics.rpcError(route.service, route.name, error instanceof OrchError ? error.code : 'UNEXPECTED');
      throw error;
    } finally {
      if (caller.timing) caller.timing.serviceNs += process.hrtime.bigint() - started;
    }
  }
}
