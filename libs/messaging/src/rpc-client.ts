import { randomUUID } from 'node:crypto';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import type { z } from 'zod';
import { Headers, type RpcMeta, type RpcReply, type RpcRoute, type Subjects } from '@orch/contracts';
import { fromErrorReply, InternalError, UnavailableError, validationErrorFromZod } from '@orch/errors';
import { sendSoon } from './outgoing-batch';

export interface CallOptions {
  meta: RpcMeta;
  correlationId: string;
  timeoutMs?: number;
}

export interface CallResult<T> {
  value: T;
  /** Stream sequence of the commit a command produced (for `X-Orch-Seq`). */
  seq?: number;
  /** Stream sequence the answering read model had applied (for `X-Orch-Read-Seq`). */
  readSeq?: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Calls a service over NATS request/reply. The request is validated before it leaves and the
 * reply after it arrives; an error reply is rebuilt into the same typed error the service threw;
 * no answer in time is a 503 naming the service.
 */
export class RpcClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
    private readonly defaultTimeoutMs = 5_000,
  ) {}

  async call<Req extends z.ZodType, Res extends z.ZodType>(
    route: RpcRoute<Req, Res>,
    payload: z.input<Req>,
    opts: CallOptions,
  ): Promise<CallResult<z.infer<Res>>> {
    const checked = route.request.safeParse(payload);
    if (!checked.success) throw validationErrorFromZod('REQUEST.INVALID', 'Invalid request', checked.error);
    const h = natsHeaders();
    h.set(Headers.correlationId, opts.correlationId);
    const subject = this.subjects.rpc(route.service, route.name);
    const body = encoder.encode(JSON.stringify({ meta: opts.meta, payload: checked.data }));
    let raw: Uint8Array;
    try {
      const msg = await sendSoon(() => this.nc.request(subject, body, { timeout: opts.timeoutMs ?? this.defaultTimeoutMs, headers: h }));
      raw = msg.data;
    } catch (error) {
      const reason = isNoResponders(error) ? 'is not running' : 'did not answer in time';
      throw new UnavailableError('SERVICE.UNAVAILABLE', `The ${route.service} service ${reason} (${route.name})`, { service: route.service });
    }
    const reply = JSON.parse(decoder.decode(raw)) as RpcReply;
    if (!reply.ok) throw fromErrorReply(reply.error);
    const value = route.response.safeParse(reply.value);
    if (!value.success) {
      throw new InternalError('RPC.BAD_REPLY', `The ${route.service} service answered ${route.name} with an invalid reply: ${value.error.issues[0]?.message}`);
    }
    return { value: value.data, seq: reply.seq, readSeq: reply.readSeq };
  }
}

/** NATS says "no responders" at once when nobody subscribes: the service is not running at all. */
export function isNoResponders(error: unknown): boolean {
  const e = error as { name?: string; cause?: { name?: string }; isNoResponders?: () => boolean };
  return e?.isNoResponders?.() === true || e?.name === 'NoResponders' || e?.cause?.name === 'NoResponders';
}

/** A fresh command id for callers that were not given an idempotency key. */
export const newCommandId = (): string => randomUUID();
