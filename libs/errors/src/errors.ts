/** One item of a validation failure: where (a dotted path) and what is wrong. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** One thing a rule still needs, e.g. a missing artifact of a phase gate. */
export interface MissingItem {
  kind: string;
  name: string;
  hint?: string;
}

/**
 * The root of every error the Orchestrator raises on purpose. Each has a stable `code`
 * (`AREA.REASON`) that clients can switch on, and the HTTP status it maps to.
 */
export abstract class OrchError extends Error {
  abstract readonly status: number;
  abstract readonly title: string;

  constructor(
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Malformed input: a body, a query, a message or a file that does not match its schema (400). */
export class ValidationError extends OrchError {
  readonly status = 400;
  readonly title = 'Invalid input';
  constructor(code: string, message: string, readonly errors: FieldIssue[] = []) {
    super(code, message, { errors });
  }
}

export class UnauthorizedError extends OrchError {
  readonly status = 401;
  readonly title = 'Unauthorized';
}

export class ForbiddenError extends OrchError {
  readonly status = 403;
  readonly title = 'Forbidden';
}

export class NotFoundError extends OrchError {
  readonly status = 404;
  readonly title = 'Not found';
}

/** A lost race or a duplicate: the state moved on or the thing exists already (409). */
export class ConflictError extends OrchError {
  readonly status = 409;
  readonly title = 'Conflict';
}

/** An `If-Match` version that is not the current one (412). */
export class PreconditionFailedError extends OrchError {
  readonly status = 412;
  readonly title = 'Precondition failed';
}

export class PayloadTooLargeError extends OrchError {
  readonly status = 413;
  readonly title = 'Payload too large';
}

/** A body in a format the API does not take (only JSON) (415). */
export class UnsupportedMediaTypeError extends OrchError {
  readonly status = 415;
  readonly title = 'Unsupported media type';
}

/** Well-formed input that a domain rule refuses; `missing` lists what would satisfy it (422). */
export class RuleViolation extends OrchError {
  readonly status = 422;
  readonly title = 'Rule violated';
  constructor(code: string, message: string, readonly missing: MissingItem[] = [], extra: Record<string, unknown> = {}) {
    super(code, message, { ...extra, missing });
  }
}

export class RateLimitedError extends OrchError {
  readonly status = 429;
  readonly title = 'Too many requests';
}

/** A dependency (NATS, a service, Postgres, Redis) did not answer in time (503). */
export class UnavailableError extends OrchError {
  readonly status = 503;
  readonly title = 'Service unavailable';
}

/** Anything unexpected; its detail never leaks internals to clients (500). */
export class InternalError extends OrchError {
  readonly status = 500;
  readonly title = 'Internal error';
}
