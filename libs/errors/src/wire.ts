import {
  ConflictError,
  ForbiddenError,
  InternalError,
  NotFoundError,
  OrchError,
  PayloadTooLargeError,
  PreconditionFailedError,
  RateLimitedError,
  RuleViolation,
  UnauthorizedError,
  UnavailableError,
  UnsupportedMediaTypeError,
  ValidationError,
  type FieldIssue,
  type MissingItem,
} from './errors';

/** An error as it travels in a NATS reply: plain data, rebuilt into the same class on the other side. */
export interface ErrorReply {
  name: string;
  code: string;
  status: number;
  message: string;
  extra: Record<string, unknown>;
}

export function toErrorReply(error: OrchError): ErrorReply {
  return { name: error.name, code: error.code, status: error.status, message: error.message, extra: error.extra };
}

/** Rebuilds a typed error from a reply, so callers catch the same classes a local call would throw. */
export function fromErrorReply(reply: ErrorReply): OrchError {
  const { code, message, extra } = reply;
  switch (reply.status) {
    case 400:
      return new ValidationError(code, message, (extra.errors as FieldIssue[] | undefined) ?? []);
    case 401:
      return new UnauthorizedError(code, message, extra);
    case 403:
      return new ForbiddenError(code, message, extra);
    case 404:
      return new NotFoundError(code, message, extra);
    case 409:
      return new ConflictError(code, message, extra);
    case 412:
      return new PreconditionFailedError(code, message, extra);
    case 413:
      return new PayloadTooLargeError(code, message, extra);
    case 415:
      return new UnsupportedMediaTypeError(code, message, extra);
    case 422: {
      const { missing, ...rest } = extra;
      return new RuleViolation(code, message, (missing as MissingItem[] | undefined) ?? [], rest);
    }
    case 429:
      return new RateLimitedError(code, message, extra);
    case 503:
      return new UnavailableError(code, message, extra);
    default:
      return new InternalError(code, message, extra);
  }
}
