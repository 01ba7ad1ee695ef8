import type { NatsConnection, Msg, Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { Headers, RpcRequest, type RpcMeta, type RpcReply, type RpcRoute, type Subjects } from '@orch/contracts';
import { InternalError, OrchError, toErrorReply, validationErrorFromZod, ValidationError } from '@orch/errors';
import { sendSoon } from './outgoing-batch';

/** What a handler knows about the call besides its payload. */
export interface RpcContext {
  meta: RpcMeta;
  correlationId: string;
  logger: Logger;
}

/** A handler answers with the value, plus the commit's seq for commands, or the read seq for queries. */
export interface HandlerResult<T> {
  value: T;
  seq?: number;
  readSeq?: number;
}

export type RpcHandler<Req extends z.ZodType, Res extends z.ZodType> = (
  payload: z.infer<Req>,
  ctx: RpcContext,
) => Promise<HandlerResult<z.infer<Res>>>;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const MAX_REQUEST_BYTES = 8 * 1024 * 1024;

/**
 * Serves routes on NATS in the service's queue group, so that several instances share the
 * work. Every request is validated at the edge; every failure is answered as a typed error,
 * never swallowed and never left to time out.
 */
export class RpcServer {
  private readonly subscriptions: Subscription[] = [];

  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
    private readonly logger: Logger,
  ) {}

  serve<Req extends z.ZodType, Res extends z.ZodType>(route: RpcRoute<Req, Res>, handler: RpcHandler<Req, Res>): void {
    const subject = this.subjects.rpc(route.service, route.name);
    const sub = this.nc.subscribe(subject, {
      queue: this.subjects.queue(route.service),
      callback: (err, msg) => {
        if (err) {
          this.logger.error({ err, subject }, 'subscription failed');
          return;
        }
        void this.handle(route, handler, msg);
      },
    });
    this.subscriptions.push(sub);
  }

  async drain(): Promise<void> {
    await Promise.all(this.subscriptions.map((s) => s.drain()));
  }

  private async handle<Req extends z.ZodType, Res extends z.ZodType>(route: RpcRoute<Req, Res>, handler: RpcHandler<Req, Res>, msg: Msg) {
    const correlationId = msg.headers?.get(Headers.correlationId) || 'none';
    const logger = this.logger.child({ correlationId, route: `${route.service}.${route.name}` });
    let reply: RpcReply;
    try {
      const { meta, payload } = this.parse(route, msg);
      const result = await handler(payload, { meta, correlationId, logger });
      reply = { ok: true, value: result.value, seq: result.seq, readSeq: result.readSeq };
    } catch (error) {
      if (!(error instanceof OrchError)) logger.error({ err: error }, 'unexpected error in handler');
      else if (error.status >= 500) logger.warn({ err: error }, 'handler failed');
      const known = error instanceof OrchError ? error : new InternalError('INTERNAL', 'An unexpected error occurred; it has been logged');
      reply = { ok: false, error: toErrorReply(known) };
    }
    // Batched with the other replies of this turn (one socket write for all of them).
    if (msg.reply) await sendSoon(() => msg.respond(encoder.encode(JSON.stringify(reply))));
  }

  private parse<Req extends z.ZodType>(route: RpcRoute<Req>, msg: Msg): { meta: RpcMeta; payload: z.infer<Req> } {
    if (msg.data.length > MAX_REQUEST_BYTES) throw new ValidationError('REQUEST.TOO_LARGE', `request of ${msg.data.length} bytes is over the limit`);
    let json: unknown;
    try {
      json = JSON.parse(decoder.decode(msg.data));
    } catch {
      throw new ValidationError('REQUEST.MALFORMED', 'request is not JSON');
    }
    const envelope = RpcRequest.safeParse(json);
    if (!envelope.success) throw validationErrorFromZod('REQUEST.INVALID', 'Invalid request envelope', envelope.error);
    const payload = route.request.safeParse(envelope.data.payload);
    if (!payload.success) throw validationErrorFromZod('REQUEST.INVALID', 'Invalid request', payload.error);
    return { meta: envelope.data.meta, payload: payload.data };
  }
}
