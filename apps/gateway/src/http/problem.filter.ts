import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { OrchError } from '@orch/errors';
import { ResponseHeader } from './headers';
import { PROBLEM_CONTENT_TYPE, toProblem } from './problem';
import type { GatewayRequest } from './request-state';

/**
 * The one place where errors become HTTP answers: every error, from a guard, a handler, a
 * service reply, body parsing or the router, leaves as `application/problem+json`. Unexpected
 * errors are logged in full with the correlation id and answered without internals.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<GatewayRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const correlationId = request.orch?.correlationId ?? 'none';
    const instance = request.url.split('?')[0] ?? request.url;
    const { unexpected, ...problem } = toProblem(error, instance, correlationId);

    if (unexpected) this.logger.error({ err: error, correlationId, method: request.method, url: instance }, 'unexpected error');
    else if (problem.status >= 500) this.logger.warn({ correlationId, code: problem.code, detail: problem.detail }, 'dependency unavailable');
    else this.logger.debug({ correlationId, code: problem.code, status: problem.status }, 'request refused');

    if (reply.sent) return;
    if (problem.status === 401) {
      const invalid = error instanceof OrchError && error.code === 'AUTH.INVALID_KEY';
      reply.header('WWW-Authenticate', invalid ? 'Bearer realm="orchestrator", error="invalid_token"' : 'Bearer realm="orchestrator"');
    }
    reply.header(ResponseHeader.correlationId, correlationId).status(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
  }
}
