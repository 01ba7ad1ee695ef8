import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { ForbiddenError, InternalError, RateLimitedError, UnauthorizedError } from '@orch/errors';
import { ENDPOINT, type EndpointSpec } from '../http/endpoint';
import { parseBearer, RequestHeader } from '../http/headers';
import { RateLimiter } from '../http/rate-limit';
import type { GatewayRequest } from '../http/request-state';
import { KeyRing, type Principal } from './api-keys';
import { isAllowed } from './roles';

/**
 * The only gate into the API: every route states its roles in `@Endpoint`, and a route that
 * states nothing is refused rather than left open (fail closed).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: KeyRing,
    private readonly limiter: RateLimiter,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const spec = this.reflector.get<EndpointSpec | undefined>(ENDPOINT, ctx.getHandler());
    if (!spec) throw new InternalError('ROUTE.UNDECLARED', `${ctx.getClass().name}.${ctx.getHandler().name} has no @Endpoint`);
    if (spec.roles === 'public') return true;

    const request = ctx.switchToHttp().getRequest<GatewayRequest>();
    const key = parseBearer(request.headers[RequestHeader.authorization]);
    if (!key) throw new UnauthorizedError('AUTH.MISSING_KEY', 'Send an API key as Authorization: Bearer <key>');
    const principal = this.keys.authenticate(key);
    if (!principal) throw new UnauthorizedError('AUTH.INVALID_KEY', 'The API key is not valid');
    if (!isAllowed(spec.roles, principal.role)) {
      throw new ForbiddenError('AUTH.FORBIDDEN', `The ${principal.role} role may not ${spec.method} this resource (allowed: ${spec.roles.join(', ')})`);
    }
    request.orch.principal = principal;
    await this.limit(principal.role, principal.keyId, ctx.switchToHttp().getResponse<FastifyReply>());
    return true;
  }

  /** After the role check, so a forbidden call does not spend the key's budget. */
  private async limit(role: Principal['role'], keyId: string, reply: FastifyReply): Promise<void> {
    const decision = await this.limiter.check(role, keyId);
    if (!decision) return;
    reply.header('ratelimit-limit', String(decision.limit));
    if (decision.allowed) {
      reply.header('ratelimit-remaining', String(decision.remaining));
      return;
    }
    const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    reply.header('ratelimit-remaining', '0');
    reply.header('retry-after', String(seconds));
    throw new RateLimitedError('RATE.LIMITED', `This API key made more requests than its ${role} role allows; retry in ${seconds} s (RATE_LIMITS)`, { retryAfterSeconds: seconds });
  }
}
