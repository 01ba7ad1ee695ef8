import type { z } from 'zod';
import type { DiscoveredEndpoint } from '../http/discovery';
import { Problem } from '../http/problem';
import { jsonSchema, SchemaComponents, type JsonSchema } from './json-schema';
import { ERROR_RESPONSES, errorResponseComponents, errorStatuses, HEADER_COMPONENTS, PARAMETER_COMPONENTS } from './responses';

export interface OpenApiDocument {
  openapi: '3.1.0';
  paths: Record<string, Record<string, Record<string, unknown>>>;
  [key: string]: unknown;
}

const ref = (kind: string, name: string) => ({ $ref: `#/components/${kind}/${name}` });

/** Path or query parameters from a zod object: one parameter per property. */
function parameters(schema: z.ZodObject | undefined, where: 'path' | 'query'): unknown[] {
  if (!schema) return [];
  const json = jsonSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property as JsonSchema & { description?: string };
    return { name, in: where, required: where === 'path' || (json.required ?? []).includes(name), ...(description ? { description } : {}), schema: rest };
  });
}

function operation(endpoint: DiscoveredEndpoint, components: SchemaComponents): Record<string, unknown> {
  const { spec, handler } = endpoint;
  const headers: unknown[] = [ref('parameters', 'CorrelationId')];
  if (spec.write && spec.roles !== 'public') headers.push(ref('parameters', 'IdempotencyKey'));
  if (spec.write && spec.etag) headers.push(ref('parameters', 'IfMatch'));
  if (!spec.write && spec.service) headers.push(ref('parameters', 'MinSeq'));

  const successHeaders: Record<string, unknown> = { 'X-Correlation-Id': ref('headers', 'CorrelationId') };
  if (spec.write && spec.service) successHeaders['X-Orch-Seq'] = ref('headers', 'Seq');
  if (!spec.write && spec.service) successHeaders['X-Orch-Read-Seq'] = ref('headers', 'ReadSeq');
  if (spec.etag) successHeaders.ETag = ref('headers', 'ETag');

  const mediaType = spec.produces ?? 'application/json';
  const responseSchema = spec.produces ? jsonSchema(spec.response, 'output') : components.ref(spec.response, 'output', `${handler}Response`);
  const responses: Record<string, unknown> = {
    [String(spec.status ?? 200)]: { description: spec.summary, headers: successHeaders, content: { [mediaType]: { schema: responseSchema } } },
  };
  for (const [status, description] of Object.entries(spec.alsoAnswers ?? {})) {
    responses[status] = { description, headers: successHeaders, content: { [mediaType]: { schema: responseSchema } } };
  }
  for (const status of errorStatuses(endpoint)) responses[String(status)] ??= ref('responses', ERROR_RESPONSES[status]!.name);

  return {
    operationId: handler,
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    tags: [endpoint.tag],
    ...(spec.roles === 'public' ? { security: [] } : { 'x-roles': [...spec.roles] }),
    parameters: [...parameters(spec.params, 'path'), ...parameters(spec.query, 'query'), ...headers],
    ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: components.ref(spec.body, 'input', `${handler}Body`) } } } } : {}),
    responses,
  };
}

/**
 * Builds the OpenAPI 3.1 document from the discovered endpoints, and nothing else: there is no
 * hand-written path in it, so a route that exists is documented, and documented as it is served.
 */
export function buildOpenApiDocument(endpoints: readonly DiscoveredEndpoint[], opts: { serverUrl?: string; version: string }): OpenApiDocument {
  const components = new SchemaComponents();
  components.ref(Problem, 'output', 'Problem');
  const paths: OpenApiDocument['paths'] = {};
  const operationIds = new Set<string>();
  for (const endpoint of endpoints) {
    if (operationIds.has(endpoint.handler)) throw new Error(`two routes have the handler name ${endpoint.handler}; operation ids must be unique`);
    operationIds.add(endpoint.handler);
    (paths[endpoint.openApiPath] ??= {})[endpoint.spec.method.toLowerCase()] = operation(endpoint, components);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Orchestrator API',
      version: opts.version,
      description: 'Control plane for teams of AI coding agents and humans. Errors are application/problem+json with a stable `code`.',
    },
    servers: [{ url: opts.serverUrl ?? '/' }],
    security: [{ bearer: [] }],
    tags: [...new Set(endpoints.map((e) => e.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key from ORCH_API_KEYS (development: dev-admin-key, dev-agent-key, dev-viewer-key)' } },
      schemas: components.build(),
      responses: errorResponseComponents(),
      parameters: PARAMETER_COMPONENTS,
      headers: HEADER_COMPONENTS,
    },
  };
}
