import type { CommandMeta } from '@orch/event-store';
import type { RpcContext } from '@orch/messaging';

/** The metadata an aggregate write needs, from the context of the RPC that asked for it. */
export function commandMetaOf(ctx: RpcContext): CommandMeta {
  return { ...ctx.meta, correlationId: ctx.correlationId, causationId: null };
}
