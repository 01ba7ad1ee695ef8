import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../auth/api-keys';

/** What a handler needs to call a service on the caller's behalf (becomes `RpcMeta`). */
export interface Caller {
  principal: Principal;
  correlationId: string;
  /** From `Idempotency-Key`, or a fresh uuid. */
  commandId: string;
  minSeq?: number;
  expectedVersion?: number;
  /** Time spent waiting on services for this request, for the Server-Timing header. */
  timing?: ServiceTiming;
}

export interface ServiceTiming {
  serviceNs: bigint;
}

/** The request's inputs after validation against the endpoint's schemas. */
export interface ValidInput {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
}

/** Per-request state, filled step by step: hook (correlation id) → guard (principal) → interceptor. */
export interface RequestState {
  correlationId: string;
  startedAt: bigint;
  timing: ServiceTiming;
  principal?: Principal;
  input?: ValidInput;
  caller?: Caller;
}

export type GatewayRequest = FastifyRequest & { orch: RequestState };

export const stateOf = (ctx: ExecutionContext): RequestState => ctx.switchToHttp().getRequest<GatewayRequest>().orch;

/** The validated `params`, `query` or `body` of the request, typed by the handler. */
export const Input = createParamDecorator((part: keyof ValidInput, ctx: ExecutionContext) => {
  const input = stateOf(ctx).input;
  if (!input) throw new Error('Input() used on a route the endpoint interceptor did not validate');
  return input[part];
});

/** The authenticated caller with the headers that shape the service call. */
export const CallerOf = createParamDecorator((_: unknown, ctx: ExecutionContext): Caller => {
  const caller = stateOf(ctx).caller;
  if (!caller) throw new Error('CallerOf() used on a public route');
  return caller;
});
