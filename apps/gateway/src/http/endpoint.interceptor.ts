import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { map, type Observable } from 'rxjs';
import { ENDPOINT, type EndpointSpec } from './endpoint';
import { commandIdFor, etagOf, parseIfMatch, parseIdempotencyKey, parseMinSeq, RequestHeader, ResponseHeader } from './headers';
import type { GatewayRequest } from './request-state';
import { validateInput } from './validation';
import { ServiceReply } from '../rpc/service-caller';

/**
 * Runs after the guard (so a caller without a key learns that first) and before the handler:
 * validates the inputs against the endpoint's schemas and reads the headers that shape the
 * service call. On the way out it turns a ServiceReply into the body and the read-your-writes,
 * ETag and sequence headers.
 */
@Injectable()
export class EndpointInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const spec = this.reflector.get<EndpointSpec>(ENDPOINT, ctx.getHandler());
    const request = ctx.switchToHttp().getRequest<GatewayRequest>();
    const reply = ctx.switchToHttp().getResponse<FastifyReply>();
    const state = request.orch;
    state.input = validateInput(spec, { params: request.params, query: request.query, body: request.body });
    if (state.principal) {
      const h = request.headers;
      state.caller = {
        principal: state.principal,
        correlationId: state.correlationId,
        commandId: commandIdFor(state.principal.keyId, spec.write ? parseIdempotencyKey(h[RequestHeader.idempotencyKey]) : undefined),
        minSeq: spec.write ? undefined : parseMinSeq(h[RequestHeader.minSeq]),
        expectedVersion: spec.write && spec.etag ? parseIfMatch(h[RequestHeader.ifMatch]) : undefined,
        timing: state.timing,
      };
    }
    if (spec.produces) reply.type(spec.produces);
    return next.handle().pipe(map((result: unknown) => (result instanceof ServiceReply ? this.unwrap(spec, result, reply) : result)));
  }

  private unwrap(spec: EndpointSpec, result: ServiceReply, reply: FastifyReply): unknown {
    if (spec.write && result.seq !== undefined) reply.header(ResponseHeader.seq, String(result.seq));
    if (!spec.write && result.readSeq !== undefined) reply.header(ResponseHeader.readSeq, String(result.readSeq));
    const version = (result.value as { version?: unknown } | null)?.version;
    if (spec.etag && typeof version === 'number') reply.header(ResponseHeader.etag, etagOf(version));
    return result.value;
  }
}
