import { execFile } from 'node:child_process';
import { Controller, Get } from '@nestjs/common';
import { CONTROLLERS } from '../gateway.module';
import { discoverEndpoints } from '../http/discovery';
import { buildOpenApiDocument } from './document';

const endpoints = discoverEndpoints(CONTROLLERS);
const document = buildOpenApiDocument(endpoints, { version: '1.0.0' });
/**
 * Runs @apidevtools/swagger-parser in a plain Node process: its ref-parser dependency is pure
 * ESM, which Node loads with require(esm) but jest's module loader on Node 20 does not.
 */
function validateWithSwaggerParser(doc: unknown): Promise<string> {
  const script = `let s='';process.stdin.on('data',d=>s+=d).on('end',()=>require('@apidevtools/swagger-parser').validate(JSON.parse(s)).then(a=>console.log('valid '+a.openapi),e=>{console.error(e.message);process.exit(1)}))`;
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, ['-e', script], { cwd: process.cwd() }, (error, stdout, stderr) => (error ? reject(new Error(stderr || error.message)) : resolve(stdout.trim())));
    child.stdin!.end(JSON.stringify(doc));
  });
}

type Operation = { parameters: Array<{ $ref?: string; name?: string; in?: string }>; responses: Record<string, unknown>; security?: unknown[]; requestBody?: unknown };
const op = (path: string, method: string) => document.paths[path]![method] as unknown as Operation;

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    await expect(validateWithSwaggerParser(document)).resolves.toBe('valid 3.1.0');
  });

  it('is checked by a validator that does refuse a broken document', async () => {
    const broken = structuredClone(document) as unknown as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    broken.paths['/health']!.get!.responses['200'] = { content: {} };
    await expect(validateWithSwaggerParser(broken)).rejects.toThrow(/description/);
    expect(document.openapi).toBe('3.1.0');
  });

  it('lists every discovered route, and only those', () => {
    const documented = Object.entries(document.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(documented.sort()).toEqual(endpoints.map((e) => `${e.spec.method} ${e.openApiPath}`).sort());
  });

  it('has the API routes the issue asks for under /api/v1, and operations at the root', () => {
    const routes = endpoints.map((e) => `${e.spec.method} ${e.path}`);
    expect(routes).toEqual(
      expect.arrayContaining([
        'POST /api/v1/sprints',
        'GET /api/v1/sprints',
        'GET /api/v1/sprints/:code',
        'PATCH /api/v1/sprints/:code',
        'POST /api/v1/tasks',
        'GET /api/v1/tasks',
        'GET /api/v1/tasks/:code',
        'PATCH /api/v1/tasks/:code',
        'GET /api/v1/events',
        'GET /health',
        'GET /ready',
        'GET /metrics',
        'GET /openapi.json',
        'GET /docs',
      ]),
    );
  });

  it('describes bodies and answers with the contract schemas, by their names', () => {
    const create = op('/api/v1/tasks', 'post');
    expect(create.requestBody).toEqual({ required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/CreateTaskBody' } } } });
    expect(create.responses['201']).toMatchObject({ content: { 'application/json': { schema: { $ref: '#/components/schemas/TaskView' } } } });
    const schemas = (document.components as { schemas: Record<string, { additionalProperties?: unknown }> }).schemas;
    expect(schemas.CreateTaskBody!.additionalProperties).toBe(false);
    expect(JSON.stringify(schemas.TaskPage)).toContain('#/components/schemas/TaskView');
  });

  it('documents query parameters with their types and defaults', () => {
    const params = op('/api/v1/tasks', 'get').parameters.filter((p) => p.in === 'query');
    expect(params.map((p) => p.name)).toEqual(['sprint', 'status', 'assignee', 'limit', 'after']);
    expect(params.find((p) => p.name === 'limit')).toMatchObject({ required: false, schema: { type: 'integer', default: 100 } });
  });

  it('gives each route the error answers its metadata implies', () => {
    const statuses = (path: string, method: string) => Object.keys(op(path, method).responses);
    expect(statuses('/api/v1/tasks/{code}', 'patch')).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404', '409', '412', '413', '422', '503']));
    expect(statuses('/api/v1/tasks/{code}', 'get')).toEqual(expect.arrayContaining(['200', '401', '403', '404', '503']));
    expect(statuses('/api/v1/tasks/{code}', 'get')).not.toContain('412');
    expect(op('/api/v1/tasks', 'post').responses['401']).toEqual({ $ref: '#/components/responses/Unauthorized' });
  });

  it('documents the read-your-writes and concurrency headers where they apply', () => {
    const refs = (path: string, method: string) => op(path, method).parameters.map((p) => p.$ref).filter(Boolean);
    expect(refs('/api/v1/tasks', 'post')).toContain('#/components/parameters/IdempotencyKey');
    expect(refs('/api/v1/tasks/{code}', 'patch')).toContain('#/components/parameters/IfMatch');
    expect(refs('/api/v1/tasks', 'get')).toContain('#/components/parameters/MinSeq');
    expect(op('/api/v1/tasks', 'post').responses['201']).toMatchObject({ headers: { 'X-Orch-Seq': expect.anything() } });
    expect(op('/api/v1/tasks/{code}', 'get').responses['200']).toMatchObject({ headers: { ETag: expect.anything(), 'X-Orch-Read-Seq': expect.anything() } });
  });

  it('marks health and docs as open and everything else as needing a key', () => {
    expect(op('/health', 'get').security).toEqual([]);
    expect(op('/ready', 'get').responses['503']).toMatchObject({ content: { 'application/json': { schema: { $ref: '#/components/schemas/ReadinessReport' } } } });
    expect(op('/metrics', 'get').security).toBeUndefined();
    expect(op('/metrics', 'get').responses['403']).toBeDefined();
  });
});

describe('endpoint discovery', () => {
  it('refuses a route that has no @Endpoint, so nothing is served undocumented', () => {
    @Controller('rogue')
    class RogueController {
      @Get()
      list() {
        return [];
      }
    }
    expect(() => discoverEndpoints([RogueController])).toThrow('RogueController.list is a route without @Endpoint metadata');
  });
});
