import { Injectable } from '@nestjs/common';
import { ResourceRoutes as R } from '@orch/contracts';
import type { RpcContext } from '@orch/messaging';
import { commandMetaOf, RpcHandler } from '@orch/service-kit';
import { Allocator } from './allocator';

type In<K extends keyof typeof R> = (typeof R)[K]['request']['_output'];

/** NATS → the allocator. Payloads arrive validated against the route's schema. */
@Injectable()
export class ResourcesRpc {
  constructor(private readonly allocator: Allocator) {}

  @RpcHandler(R.getResources)
  async get() {
    return { value: await this.allocator.view() };
  }

  @RpcHandler(R.registerHost)
  async registerHost(body: In<'registerHost'>, ctx: RpcContext) {
    const { host, seq } = await this.allocator.registerHost(body, commandMetaOf(ctx));
    return { value: host, seq };
  }

  @RpcHandler(R.setQuotas)
  async setQuotas(body: In<'setQuotas'>, ctx: RpcContext) {
    const { reply, seq } = await this.allocator.setQuotas(body, commandMetaOf(ctx));
    return { value: reply, seq };
  }
}
