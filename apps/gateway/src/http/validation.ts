import type { z } from 'zod';
import { ValidationError, type FieldIssue } from '@orch/errors';
import type { EndpointSpec } from './endpoint';
import type { ValidInput } from './request-state';

type Part = keyof ValidInput;

/**
 * Issues with paths that name the field as the client sent it (`body.title`, `query.limit`).
 * An unknown key is reported at its own path, so the client sees which field to remove.
 */
function issuesOf(part: Part, error: z.ZodError): FieldIssue[] {
  return error.issues.flatMap((issue) => {
    const at = [part, ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: `${at}.${key}`, message: 'is not a known field' }));
    return [{ path: at, message: issue.message }];
  });
}

/**
 * Validates params, query and body against the endpoint's schemas, all at once, so one 400
 * names every bad field. A part without a schema must be empty: an endpoint that declares no
 * query takes none, and one that declares no body takes none.
 */
export function validateInput(spec: EndpointSpec, raw: { params: unknown; query: unknown; body: unknown }): ValidInput {
  const issues: FieldIssue[] = [];
  const check = (part: Part, schema: z.ZodType | undefined, value: unknown): unknown => {
    if (!schema) {
      if (part !== 'params' && value !== undefined && value !== null) {
        const keys = typeof value === 'object' ? Object.keys(value) : [''];
        for (const key of keys) issues.push(key ? { path: `${part}.${key}`, message: 'is not a known field' } : { path: part, message: `this endpoint takes no ${part}` });
      }
      return part === 'body' ? undefined : {};
    }
    const parsed = schema.safeParse(value ?? (part === 'body' ? undefined : {}));
    if (parsed.success) return parsed.data;
    issues.push(...issuesOf(part, parsed.error));
    return undefined;
  };
  const input: ValidInput = {
    params: check('params', spec.params, raw.params) as Record<string, unknown>,
    query: check('query', spec.query, raw.query) as Record<string, unknown>,
    body: check('body', spec.body, raw.body),
  };
  if (issues.length > 0) {
    const first = issues[0]!;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    throw new ValidationError('REQUEST.INVALID', `Invalid request: ${first.path}: ${first.message}${more}`, issues);
  }
  return input;
}
