import type { DiscoveredEndpoint } from '../http/discovery';
import { PROBLEM_CONTENT_TYPE } from '../http/problem';

/** The error answers every route may give, as reusable `components.responses`. */
export const ERROR_RESPONSES: Record<number, { name: string; description: string }> = {
  400: { name: 'BadRequest', description: 'Malformed JSON, or a field, parameter or header that does not match the schema; `errors` names each one' },
  401: { name: 'Unauthorized', description: 'No API key (`AUTH.MISSING_KEY`) or an unknown one (`AUTH.INVALID_KEY`)' },
  403: { name: 'Forbidden', description: 'The key\'s role may not do this (`AUTH.FORBIDDEN`)' },
  404: { name: 'NotFound', description: 'No such resource' },
  409: { name: 'Conflict', description: 'The resource exists already, or its state moved on' },
  412: { name: 'PreconditionFailed', description: '`If-Match` names a version that is not the current one' },
  413: { name: 'PayloadTooLarge', description: 'The body is over the size limit (`REQUEST.TOO_LARGE`)' },
  415: { name: 'UnsupportedMediaType', description: 'The body is not `application/json`' },
  422: { name: 'RuleViolated', description: 'A domain rule refuses the request; `missing` lists what would satisfy it' },
  429: { name: 'TooManyRequests', description: 'The key used up its role\'s rate (`RATE.LIMITED`); `Retry-After` says when to try again' },
  500: { name: 'InternalError', description: 'An unexpected error; quote the X-Correlation-Id' },
  503: { name: 'Unavailable', description: 'A service or dependency did not answer' },
};

/** Which errors a route can answer follows from its metadata; `errors` in the spec adds the rest. */
export function errorStatuses({ spec, root }: DiscoveredEndpoint): number[] {
  const statuses = new Set<number>([400, 500, ...(spec.errors ?? [])]);
  if (spec.roles !== 'public') [401, 403, 429].forEach((s) => statuses.add(s));
  if (spec.params && !root) statuses.add(404);
  if (spec.body) [413, 415].forEach((s) => statuses.add(s));
  if (spec.write) [409, 422].forEach((s) => statuses.add(s));
  if (spec.write && spec.etag) statuses.add(412);
  if (spec.service) statuses.add(503);
  return [...statuses].sort((a, b) => a - b);
}

export function errorResponseComponents(): Record<string, unknown> {
  return Object.fromEntries(
    Object.values(ERROR_RESPONSES).map(({ name, description }) => [
      name,
      {
        description,
        headers: { 'X-Correlation-Id': { $ref: '#/components/headers/CorrelationId' } },
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
      },
    ]),
  );
}

/** Request and response headers of the read-your-writes and concurrency protocol (SPEC §3, §6). */
export const HEADER_COMPONENTS = {
  CorrelationId: { description: 'The request\'s correlation id (yours if you sent a valid one); quote it when reporting a problem', schema: { type: 'string' } },
  Seq: { description: 'Stream sequence of the commit this write produced; send it as X-Orch-Min-Seq to read your write', schema: { type: 'integer' } },
  ReadSeq: { description: 'Stream sequence the answering read model had applied', schema: { type: 'integer' } },
  ETag: { description: 'The resource version, quoted; send it back as If-Match', schema: { type: 'string' } },
};

export const PARAMETER_COMPONENTS = {
  CorrelationId: { name: 'X-Correlation-Id', in: 'header', required: false, description: 'Carried through every service and log line; generated when absent or unusable', schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' } },
  IdempotencyKey: { name: 'Idempotency-Key', in: 'header', required: false, description: 'A retried write with the same key is applied once', schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,128}$' } },
  MinSeq: { name: 'X-Orch-Min-Seq', in: 'header', required: false, description: 'Wait (up to 2 s) until the read model has applied this sequence (from X-Orch-Seq)', schema: { type: 'integer', minimum: 0 } },
  IfMatch: { name: 'If-Match', in: 'header', required: false, description: 'Apply only if the resource is still at this version (its ETag); else 412', schema: { type: 'string', pattern: '^("\\d+"|\\d+|\\*)$' } },
};
