import { Injectable } from '@nestjs/common';
import { SessionLogRoutes as R } from '@orch/contracts';
import type { RpcContext } from '@orch/messaging';
import { commandMetaOf, RpcHandler } from '@orch/service-kit';
import { SessionLogs } from './session-logs';

type In<K extends keyof typeof R> = (typeof R)[K]['request']['_output'];

/** NATS → the session logs. Payloads arrive validated against the route's schema. */
@Injectable()
export class SessionLogsRpc {
  constructor(private readonly logs: SessionLogs) {}

  @RpcHandler(R.append)
  async append({ sessionKey, body }: In<'append'>, ctx: RpcContext) {
    // No `seq`: these lines are not on the event log, so there is nothing for read-your-writes to wait for.
    return { value: await this.logs.append(sessionKey, body, commandMetaOf(ctx)) };
  }

  @RpcHandler(R.list)
  async list({ sessionKey, query }: In<'list'>, ctx: RpcContext) {
    return { value: await this.logs.list(sessionKey, query, commandMetaOf(ctx)) };
  }

  @RpcHandler(R.stats)
  async stats({ sessionKey }: In<'stats'>, ctx: RpcContext) {
    return { value: await this.logs.stats(sessionKey, commandMetaOf(ctx)) };
  }
}
