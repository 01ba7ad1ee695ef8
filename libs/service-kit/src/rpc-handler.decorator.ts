import { SetMetadata } from '@nestjs/common';
import type { RpcRoute } from '@orch/contracts';

export const RPC_ROUTE = 'orch:rpc-route';

/**
 * Marks a provider method as the handler of a NATS route. The method receives the validated
 * payload and the call context, and returns `{ value, seq? }`.
 */
export const RpcHandler = (route: RpcRoute): MethodDecorator => SetMetadata(RPC_ROUTE, route);
