import { applyDecorators, Controller, HttpCode, RequestMapping, RequestMethod, SetMetadata } from '@nestjs/common';
import type { z } from 'zod';
import type { Access } from '../auth/roles';

export const ENDPOINT = 'orch:gateway:endpoint';
export const ROOT_CONTROLLER = 'orch:gateway:root';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Everything the gateway knows about one route, in one place. The same object drives the
 * validation of the request, the role guard, the response headers and the OpenAPI document,
 * so a route cannot be served in a way its documentation does not describe.
 */
export interface EndpointSpec {
  method: HttpMethod;
  /** Relative to the controller, in Nest syntax (`:code`). */
  path?: string;
  summary: string;
  description?: string;
  roles: Access;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  response: z.ZodType;
  /** Success status; 200 unless given. */
  status?: number;
  /** A command: takes `Idempotency-Key`, answers `X-Orch-Seq`. Otherwise a read that takes `X-Orch-Min-Seq`. */
  write?: boolean;
  /** A single versioned resource: answers `ETag`; on a write, takes `If-Match`. */
  etag?: boolean;
  /** Answered by a back-end service over NATS (so 503 when it is down). */
  service?: boolean;
  /** Statuses besides the ones the metadata implies (e.g. 409 for a duplicate code). */
  errors?: number[];
  /** Media type of the success body; JSON unless given. */
  produces?: string;
  /** Other statuses that answer with the response schema, not a problem (e.g. `/ready`'s 503). */
  alsoAnswers?: Record<number, string>;
}

const VERBS: Record<HttpMethod, RequestMethod> = {
  GET: RequestMethod.GET,
  POST: RequestMethod.POST,
  PUT: RequestMethod.PUT,
  PATCH: RequestMethod.PATCH,
  DELETE: RequestMethod.DELETE,
};

/** The one decorator of every route handler: declares the route and its contract together. */
export function Endpoint(spec: EndpointSpec): MethodDecorator {
  return applyDecorators(
    RequestMapping({ path: spec.path ?? '', method: VERBS[spec.method] }),
    HttpCode(spec.status ?? 200),
    SetMetadata(ENDPOINT, spec),
  );
}

/** A controller under the global prefix `/api/v1`. */
export const ApiController = (path: string): ClassDecorator => Controller(path);

/** A controller served at the root (`/health`, `/docs`), outside the API prefix. */
export const RootController = (): ClassDecorator => applyDecorators(Controller(), SetMetadata(ROOT_CONTROLLER, true));

export function nestMethod(method: HttpMethod): RequestMethod {
  return VERBS[method];
}
