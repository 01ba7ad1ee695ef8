import { z } from 'zod';
import type { ErrorReply } from '@orch/errors';
import { Actor } from './actor';

export const ServiceName = z.enum([
  'gateway',
  'planner',
  'agent-manager',
  'session-service',
  'bug-service',
  'search-service',
  'notifier',
]);
export type ServiceName = z.infer<typeof ServiceName>;

/**
 * A request/reply route between the gateway (or any caller) and a service. Both ends validate
 * with the same schemas, so a message that one side accepts the other side understands.
 */
export interface RpcRoute<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  service: ServiceName;
  name: string;
  kind: 'command' | 'query';
  request: Req;
  response: Res;
}

export function commandRoute<Req extends z.ZodType, Res extends z.ZodType>(
  service: ServiceName,
  name: string,
  request: Req,
  response: Res,
): RpcRoute<Req, Res> {
  return { service, name, kind: 'command', request, response };
}

export function queryRoute<Req extends z.ZodType, Res extends z.ZodType>(
  service: ServiceName,
  name: string,
  request: Req,
  response: Res,
): RpcRoute<Req, Res> {
  return { service, name, kind: 'query', request, response };
}

/** Who asks, and under which command id (the idempotency key that becomes `Nats-Msg-Id`). */
export const RpcMeta = z.object({
  actor: Actor,
  commandId: z.string().min(1).max(128),
  issuedAt: z.iso.datetime({ offset: true }),
  /** Read-your-writes: a query waits until the read model has applied this stream sequence. */
  minSeq: z.number().int().nonnegative().optional(),
  /** How long a read may wait for `minSeq` (the gateway's READ_WAIT_MS; 2 s when absent). */
  readWaitMs: z.number().int().min(0).max(30_000).optional(),
  /** Optimistic concurrency from `If-Match`: the aggregate version the caller saw. */
  expectedVersion: z.number().int().nonnegative().optional(),
});
export type RpcMeta = z.infer<typeof RpcMeta>;

export const RpcRequest = z.object({ meta: RpcMeta, payload: z.unknown() });
export type RpcRequest = z.infer<typeof RpcRequest>;

export type RpcReply<T = unknown> =
  | { ok: true; value: T; seq?: number; readSeq?: number }
  | { ok: false; error: ErrorReply };

/** NATS header names the system sets; the correlation id rides in headers across every hop. */
export const Headers = {
  correlationId: 'Orch-Correlation-Id',
} as const;
