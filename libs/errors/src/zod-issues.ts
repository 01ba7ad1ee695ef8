import type { ZodError } from 'zod';
import { ValidationError, type FieldIssue } from './errors';

/** Flattens zod issues into `{path, message}` items whose paths read like `tasks.2.dependsOn`. */
export function zodIssues(error: ZodError, basePath = ''): FieldIssue[] {
  const join = (parts: PropertyKey[]) => [basePath, ...parts.map(String)].filter(Boolean).join('.') || '(root)';
  return error.issues.flatMap((issue) =>
    // An unknown field is reported at the field itself, so the client sees which one.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: join([...issue.path, key]), message: 'is not a known field' }))
      : [{ path: join(issue.path), message: issue.message }],
  );
}

/** A ValidationError naming every field that failed, with the first one in the message. */
export function validationErrorFromZod(code: string, what: string, error: ZodError, basePath = ''): ValidationError {
  const errors = zodIssues(error, basePath);
  const first = errors[0];
  const detail = first ? `${what}: ${first.path}: ${first.message}` : `${what} is invalid`;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return new ValidationError(code, detail + more, errors);
}
