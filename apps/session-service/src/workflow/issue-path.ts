import type { z } from 'zod';

/**
 * Where a config problem is, as one dotted key. zod reports an unknown key at the object that
 * holds it (path `[]` for the top level); the person fixing the file needs the key itself.
 */
export function issueField(issue: z.core.$ZodIssue): { field: string; message: string } {
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    return { field: [...issue.path, key].join('.'), message: `unknown key "${key}" (a typo?)` };
  }
  return { field: issue.path.join('.') || '(root)', message: issue.message };
}
