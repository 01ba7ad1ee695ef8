import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { SessionKey } from '@orch/contracts';
import { ValidationError } from '@orch/errors';
import type { GatewayRequest } from '../http/request-state';

/** `X-Orch-Session: <key>`: the session a `/me/…` call acts on instead of the caller's current one (SPEC §4.1). */
export const SESSION_HEADER = 'x-orch-session';

export function parseSessionHeader(value: string | string[] | undefined): string | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === '') return undefined;
  const parsed = SessionKey.safeParse(raw.trim());
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message ?? 'is invalid';
    throw new ValidationError('REQUEST.INVALID_HEADER', `Header X-Orch-Session ${message}`, [{ path: 'headers.x-orch-session', message }]);
  }
  return parsed.data;
}

export const SessionHeader = createParamDecorator((_: unknown, ctx: ExecutionContext): string | undefined =>
  parseSessionHeader(ctx.switchToHttp().getRequest<GatewayRequest>().headers[SESSION_HEADER]),
);
