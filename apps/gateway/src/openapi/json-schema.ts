import { z } from 'zod';
import * as contracts from '@orch/contracts';
import { GATEWAY_SCHEMAS } from '../http/schemas';

export type JsonSchema = Record<string, unknown>;

const REF_BASE = '#/components/schemas/';

/**
 * Component names come from the export names of the schemas (`CreateSprintBody`, `TaskView`), so
 * the document speaks the same vocabulary as the contracts without naming anything twice.
 */
const KNOWN_NAMES = new Map<z.ZodType, string>();
for (const [name, value] of Object.entries({ ...contracts, ...GATEWAY_SCHEMAS })) {
  if (value instanceof z.ZodType && !KNOWN_NAMES.has(value)) KNOWN_NAMES.set(value, name);
}

/** A JSON Schema for OpenAPI 3.1, whose dialect is 2020-12 already: no `$schema`/`$id` per schema. */
function clean(schema: JsonSchema): JsonSchema {
  const { $schema: _s, $id: _i, ...rest } = schema;
  return rest;
}

/** Inline JSON Schema of a zod schema, as a request (`input`) or a response (`output`) sees it. */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  return clean(z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema);
}

/**
 * Collects the named request and response schemas and turns each side into components in one
 * pass, so that a schema used inside another (TaskView in TaskPage) becomes a `$ref`.
 */
export class SchemaComponents {
  private readonly registries = { input: z.registry<{ id: string }>(), output: z.registry<{ id: string }>() };
  private readonly taken = new Map<string, 'input' | 'output'>();

  /** Registers a schema and answers a `$ref` to it. `fallback` names schemas the contracts do not export. */
  ref(schema: z.ZodType, io: 'input' | 'output', fallback: string): JsonSchema {
    const registry = this.registries[io];
    const existing = registry.get(schema)?.id;
    if (existing) return { $ref: REF_BASE + existing };
    let name = KNOWN_NAMES.get(schema) ?? fallback;
    // One zod schema may read differently as input and output (defaults, coercion): keep both.
    if (this.taken.has(name) && this.taken.get(name) !== io) name = `${name}${io === 'input' ? 'Input' : 'Output'}`;
    if (this.taken.has(name)) throw new Error(`two different schemas want the component name ${name}`);
    this.taken.set(name, io);
    registry.add(schema, { id: name });
    return { $ref: REF_BASE + name };
  }

  build(): Record<string, JsonSchema> {
    const out: Record<string, JsonSchema> = {};
    for (const io of ['input', 'output'] as const) {
      const { schemas } = z.toJSONSchema(this.registries[io], { target: 'draft-2020-12', io, unrepresentable: 'any', uri: (id) => REF_BASE + id });
      for (const [name, schema] of Object.entries(schemas)) out[name] = clean(schema as JsonSchema);
    }
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
  }
}
