import { Injectable } from '@nestjs/common';
import { SessionStateRoutes as S, SessionTurnRoutes as T } from '@orch/contracts';
import type { RpcContext } from '@orch/messaging';
import { commandMetaOf, RpcHandler } from '@orch/service-kit';
import { ConversationHandler } from './conversation-handler';
import { StateEntries } from './state-entries';

type TurnIn<K extends keyof typeof T> = (typeof T)[K]['request']['_output'];
type StateIn<K extends keyof typeof S> = (typeof S)[K]['request']['_output'];

/** NATS → conversation turns and scoped state (issue 12). Payloads arrive validated against the route's schema. */
@Injectable()
export class SessionScopesRpc {
  constructor(
    private readonly conversation: ConversationHandler,
    private readonly state: StateEntries,
  ) {}

  @RpcHandler(T.add)
  addTurn({ sessionKey, body }: TurnIn<'add'>, ctx: RpcContext) {
    return this.conversation.add(sessionKey, body, commandMetaOf(ctx));
  }

  @RpcHandler(T.list)
  async turns({ sessionKey, limit, before }: TurnIn<'list'>, ctx: RpcContext) {
    return { value: await this.conversation.list(sessionKey, limit, before, commandMetaOf(ctx)) };
  }

  @RpcHandler(S.put)
  putState({ sessionKey, name, body }: StateIn<'put'>, ctx: RpcContext) {
    return this.state.put(sessionKey, name, body, commandMetaOf(ctx));
  }

  @RpcHandler(S.remove)
  removeState({ sessionKey, name, scope }: StateIn<'remove'>, ctx: RpcContext) {
    return this.state.remove(sessionKey, name, scope, commandMetaOf(ctx));
  }

  @RpcHandler(S.get)
  async getState({ sessionKey, name, scope, agent }: StateIn<'get'>, ctx: RpcContext) {
    return { value: await this.state.get(sessionKey, name, scope, agent, commandMetaOf(ctx)) };
  }

  @RpcHandler(S.list)
  async listState({ sessionKey, scope }: StateIn<'list'>, ctx: RpcContext) {
    return { value: await this.state.list(sessionKey, scope, commandMetaOf(ctx)) };
  }

  @RpcHandler(S.history)
  async stateHistory({ sessionKey, name, scope, agent, limit }: StateIn<'history'>, ctx: RpcContext) {
    return { value: await this.state.history(sessionKey, name, scope, agent, limit, commandMetaOf(ctx)) };
  }
}
