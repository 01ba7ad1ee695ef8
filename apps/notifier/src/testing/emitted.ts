import type { z } from 'zod';

/** An event's `type` and `data`, as the contracts define them. */
export interface Emitted {
  type: string;
  data: Record<string, unknown>;
}

/**
 * An event exactly as its service emits it: parsed by the contract's own schema, so a test cannot
 * pass on a shape no service writes. zod strips keys it does not know, so those are refused here
 * too: a made-up `status` on `task.status_updated` fails loudly instead of vanishing.
 */
export function emitted<S extends z.ZodType<Emitted>>(schema: S, event: z.input<S>): Emitted {
  const parsed = schema.parse(event);
  const given = (event as Emitted).data;
  const unknown = Object.keys(given).filter((k) => !(k in parsed.data));
  if (unknown.length > 0) throw new Error(`${parsed.type} has no ${unknown.join(', ')} in its contract`);
  return parsed;
}
