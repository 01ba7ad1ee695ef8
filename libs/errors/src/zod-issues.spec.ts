import { z } from 'zod';
import { validationErrorFromZod, zodIssues } from './zod-issues';

describe('validation errors from zod', () => {
  const Body = z.strictObject({ title: z.string(), tasks: z.array(z.object({ id: z.string() })) });

  it('names each unknown field at its own path', () => {
    const result = Body.safeParse({ title: 'x', tasks: [], colour: 'red', size: 1 });
    expect(zodIssues(result.error!)).toEqual([
      { path: 'colour', message: 'is not a known field' },
      { path: 'size', message: 'is not a known field' },
    ]);
  });

  it('names nested fields with dotted paths and says how many more there are', () => {
    const result = Body.safeParse({ title: 1, tasks: [{ id: 'a' }, { id: 2 }] });
    const error = validationErrorFromZod('REQUEST.INVALID', 'Invalid body', result.error!);
    expect(error.errors.map((e) => e.path)).toEqual(['title', 'tasks.1.id']);
    expect(error.message).toMatch(/^Invalid body: title: .+ \(and 1 more\)$/);
    expect(error.status).toBe(400);
  });
});
