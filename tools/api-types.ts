import { join } from 'node:path';
import { CONTROLLERS } from '../apps/gateway/src/gateway.module';
import { discoverEndpoints } from '../apps/gateway/src/http/discovery';
import { buildOpenApiDocument, type OpenApiDocument } from '../apps/gateway/src/openapi/document';

/**
 * Generates `apps/cli/src/generated/api.ts`: TypeScript types of every route of the gateway's
 * OpenAPI document, in the shape `openapi-fetch` expects (`paths`, `operations`, `components`).
 * The CLI's client is typed by it, and `tools/api-types.spec.ts` fails when the checked-in file
 * differs from what the document gives today, so the CLI cannot drift from the API.
 * Run `npm run gen:api` after changing a route.
 */
export const GENERATED = join(__dirname, '..', 'apps', 'cli', 'src', 'generated', 'api.ts');

type Schema = Record<string, unknown>;

export function currentDocument(): OpenApiDocument {
  return buildOpenApiDocument(discoverEndpoints(CONTROLLERS), { version: 'generated' });
}

const key = (name: string) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name));
const indent = (text: string, by = '  ') => text.replace(/\n/g, `\n${by}`);

/** JSON Schema (2020-12, as zod emits it) → a TypeScript type expression. */
export function typeOf(schema: Schema | boolean | undefined): string {
  if (schema === undefined || schema === true) return 'unknown';
  if (schema === false) return 'never';
  if (typeof schema.$ref === 'string') return `components["schemas"][${JSON.stringify(schema.$ref.split('/').pop())}]`;
  if ('const' in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(' | ') || 'never';
  for (const k of ['anyOf', 'oneOf'] as const) if (Array.isArray(schema[k])) return (schema[k] as Schema[]).map((s) => wrap(typeOf(s))).join(' | ');
  if (Array.isArray(schema.allOf)) return (schema.allOf as Schema[]).map((s) => wrap(typeOf(s))).join(' & ');
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : schema.type ? [schema.type as string] : [];
  if (types.length > 1) return types.map((t) => wrap(typeOf({ ...schema, type: t }))).join(' | ');
  switch (types[0]) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return Array.isArray(schema.prefixItems) ? `[${(schema.prefixItems as Schema[]).map(typeOf).join(', ')}]` : `${wrap(typeOf(schema.items as Schema))}[]`;
    case 'object':
      return objectType(schema);
    default:
      return schema.properties ? objectType(schema) : 'unknown';
  }
}

function wrap(type: string): string {
  return /[|&]/.test(type) && !/^\{[\s\S]*\}$/.test(type) ? `(${type})` : type;
}

function objectType(schema: Schema): string {
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const props = Object.entries((schema.properties as Record<string, Schema>) ?? {}).map(([name, s]) => `${key(name)}${required.has(name) ? '' : '?'}: ${indent(typeOf(s))};`);
  const extra = schema.additionalProperties;
  if (extra && extra !== false) props.push(`[key: string]: ${typeOf(extra === true ? undefined : (extra as Schema))};`);
  if (!props.length) return extra === false ? 'Record<string, never>' : 'Record<string, unknown>';
  return `{\n  ${props.join('\n  ')}\n}`;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
  $ref?: string;
}

function parametersType(params: Parameter[]): string {
  const by = (where: string) => params.filter((p) => p.in === where);
  const group = (where: string) => {
    const list = by(where);
    if (!list.length) return `${where}?: never;`;
    const optional = list.every((p) => !p.required) ? '?' : '';
    return `${where}${optional}: {\n    ${list.map((p) => `${key(p.name)}${p.required ? '' : '?'}: ${indent(typeOf(p.schema), '    ')};`).join('\n    ')}\n  };`;
  };
  return `{\n  ${group('query')}\n  header?: never;\n  ${group('path')}\n  cookie?: never;\n}`;
}

function operationType(op: Record<string, unknown>): string {
  const params = ((op.parameters as Parameter[]) ?? []).filter((p) => !p.$ref);
  const body = (op.requestBody as { content: Record<string, { schema: Schema }> } | undefined)?.content['application/json'];
  const responses = Object.entries(op.responses as Record<string, Schema>).map(([status, r]) => {
    if (typeof r.$ref === 'string') return `${status}: { headers: { [name: string]: unknown }; content: { "application/problem+json": components["schemas"]["Problem"] } };`;
    const content = Object.entries((r.content as Record<string, { schema: Schema }>) ?? {}).map(([media, c]) => `${JSON.stringify(media)}: ${indent(typeOf(c.schema), '      ')};`);
    return `${status}: {\n    headers: { [name: string]: unknown };\n    content: {\n      ${content.join('\n      ')}\n    };\n  };`;
  });
  return [
    '{',
    `  parameters: ${indent(parametersType(params))};`,
    body ? `  requestBody: { content: { "application/json": ${indent(typeOf(body.schema), '  ')} } };` : '  requestBody?: never;',
    `  responses: {\n    ${responses.map((r) => indent(r, '    ')).join('\n    ')}\n  };`,
    '}',
  ].join('\n');
}

/** The whole generated module, deterministic (sorted) so that the drift check is a string compare. */
export function generate(doc: OpenApiDocument = currentDocument()): string {
  const paths: string[] = [];
  const operations: string[] = [];
  for (const path of Object.keys(doc.paths).sort()) {
    const methods = Object.entries(doc.paths[path]!).sort(([a], [b]) => a.localeCompare(b));
    const entries = methods.map(([method, op]) => `${method}: operations[${JSON.stringify(op.operationId)}];`);
    paths.push(`${JSON.stringify(path)}: {\n    parameters: { query?: never; header?: never; path?: never; cookie?: never };\n    ${entries.join('\n    ')}\n  };`);
    for (const [, op] of methods) operations.push(`${key(op.operationId as string)}: ${indent(operationType(op))};`);
  }
  const schemas = (doc.components as { schemas: Record<string, Schema> }).schemas;
  const components = Object.keys(schemas)
    .sort()
    .map((name) => `${key(name)}: ${indent(typeOf(schemas[name]), '    ')};`);
  return [
    '// Generated by `npm run gen:api` from the gateway\'s OpenAPI document. Do not edit by hand:',
    '// tools/api-types.spec.ts fails when this file and the API disagree.',
    '/* eslint-disable */',
    '',
    `export interface paths {\n  ${paths.join('\n  ')}\n}`,
    '',
    `export interface operations {\n  ${operations.sort().join('\n  ')}\n}`,
    '',
    `export interface components {\n  schemas: {\n    ${components.join('\n    ')}\n  };\n}`,
    '',
  ].join('\n');
}
