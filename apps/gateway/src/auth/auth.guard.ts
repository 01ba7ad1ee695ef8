import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ForbiddenError, InternalError, UnauthorizedError } from '@orch/errors';
import { ENDPOINT, type EndpointSpec } from '../http/endpoint';
import { parseBearer, RequestHeader } from '../http/headers';
import type { GatewayRequest } from '../http/request-state';
import { KeyRing } from './api-keys';
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
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
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
    return true;
  }
}
