import { z } from 'zod';
import { HttpException } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { NotFoundError, OrchError, PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '@orch/errors';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** RFC 9457 problem details, with the stable `code` every client switches on. */
export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  code: z.string(),
  detail: z.string(),
  instance: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  missing: z.array(z.object({ kind: z.string(), name: z.string(), hint: z.string().optional() })).optional(),
  /** What the caller may do next when a rule refuses (e.g. `done`: add what is missing, force, keep working). */
  choices: z.array(z.string()).optional(),
});
export type Problem = z.infer<typeof Problem>;

/** A URN rather than a made-up web address: stable, absolute, and it resolves nowhere by design. */
export const problemType = (code: string): string => `urn:orch:problem:${code}`;

interface HttpishError {
  name?: string;
  code?: string;
  statusCode?: number;
  message?: string;
}

/**
 * Fastify rejects some requests before any handler runs (body parsing, media type, size) and
 * Nest wraps them in an HttpException; this turns them into our own errors with stable codes.
 */
export function fromHttpLayer(error: unknown): OrchError | undefined {
  const cause = (error instanceof HttpException ? (error.cause ?? error) : error) as HttpishError;
  const status = error instanceof HttpException ? error.getStatus() : cause?.statusCode;
  switch (cause?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new PayloadTooLargeError('REQUEST.TOO_LARGE', 'The request body is larger than the limit of this gateway (BODY_LIMIT_BYTES)');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new UnsupportedMediaTypeError('REQUEST.UNSUPPORTED_MEDIA_TYPE', 'Send the body as JSON with Content-Type: application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ValidationError('REQUEST.MALFORMED_JSON', 'The body is empty but Content-Type says application/json; send a JSON document');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ValidationError('REQUEST.MALFORMED_JSON', 'The body is not valid JSON');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ValidationError('REQUEST.BAD_CONTENT_LENGTH', 'Content-Length does not match the body');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new HttpLayerError(414, 'REQUEST.PARAM_TOO_LONG', 'A path parameter is longer than any id this API uses');
    case 'FST_ERR_BAD_URL':
      return new ValidationError('REQUEST.BAD_URL', 'The URL is not valid (check its percent-encoding)');
  }
  // The JSON parser reports a syntax error as a plain SyntaxError carrying statusCode 400.
  if (cause?.name === 'SyntaxError' && status === 400) return new ValidationError('REQUEST.MALFORMED_JSON', `The body is not valid JSON: ${cause.message}`);
  if (error instanceof HttpException && status === 404) return new NotFoundError('ROUTE.NOT_FOUND', 'No such route; see /openapi.json for the API');
  if (error instanceof HttpException && status !== undefined && status >= 400 && status < 500) {
    return new HttpLayerError(status, `HTTP.${status}`, cause?.message ?? 'The request was refused');
  }
  return undefined;
}

/**
 * Maps any error to the problem document the client receives. An error that is not one of ours
 * (or a 500 from a service) hides its internals: the client learns only how to quote it.
 */
export function toProblem(error: unknown, instance: string, correlationId: string): Problem & { unexpected?: true } {
  const known = error instanceof OrchError ? error : fromHttpLayer(error);
  if (!known || (known.status >= 500 && known.status !== 503)) {
    return {
      type: problemType('INTERNAL'),
      title: 'Internal error',
      status: 500,
      code: 'INTERNAL',
      detail: `An unexpected error occurred; it has been logged with correlation id ${correlationId}`,
      instance,
      unexpected: true,
    };
  }
  const problem: Problem = { type: problemType(known.code), title: known.title, status: known.status, code: known.code, detail: known.message, instance };
  const { errors, missing, choices } = known.extra as Pick<Problem, 'errors' | 'missing' | 'choices'>;
  if (errors?.length) problem.errors = errors;
  if (missing) problem.missing = missing;
  if (Array.isArray(choices)) problem.choices = choices.map(String);
  return problem;
}

/** A 4xx that the HTTP layer raised and that has no more specific meaning (e.g. 405). */
class HttpLayerError extends OrchError {
  readonly title: string;
  constructor(readonly status: number, code: string, message: string) {
    super(code, message);
    this.title = STATUS_CODES[status] ?? 'Client error';
  }
}
