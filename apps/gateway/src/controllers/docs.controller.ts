import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { NotFoundError } from '@orch/errors';
import { Endpoint, RootController } from '../http/endpoint';
import { Input } from '../http/request-state';
import { DocsAssetParams, OpenApiJson } from '../http/schemas';
import type { OpenApiDocument } from '../openapi/document';
import { OPENAPI_DOCUMENT } from '../tokens';

/** The Swagger UI files the page needs, served from node_modules: the docs work offline, no CDN. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

// Relative URLs, so the page also works behind a proxy that mounts the gateway under a path.
const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Orchestrator API</title>
<link rel="stylesheet" href="docs/swagger-ui.css"><link rel="icon" href="docs/favicon-32x32.png"></head>
<body><div id="swagger-ui"></div>
<script src="docs/swagger-ui-bundle.js"></script><script src="docs/swagger-ui-standalone-preset.js"></script><script src="docs/init.js"></script>
</body></html>
`;

// A separate file rather than an inline script, so a strict Content-Security-Policy allows it.
const INIT = `window.ui = SwaggerUIBundle({ url: 'openapi.json', dom_id: '#swagger-ui', deepLinking: true, persistAuthorization: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });
`;

const swaggerUiDir = (): string => dirname(require.resolve('swagger-ui-dist/package.json'));

/** `/openapi.json` and the page that renders it. */
@RootController()
export class DocsController {
  private readonly cache = new Map<string, Buffer>();

  constructor(@Inject(OPENAPI_DOCUMENT) private readonly document: OpenApiDocument) {}

  @Endpoint({ method: 'GET', path: 'openapi.json', summary: 'This API as an OpenAPI 3.1 document', roles: 'public', response: OpenApiJson })
  openApi(): OpenApiDocument {
    return this.document;
  }

  @Endpoint({ method: 'GET', path: 'docs', summary: 'The API documentation page', roles: 'public', response: z.string(), produces: 'text/html; charset=utf-8' })
  page(): string {
    return PAGE;
  }

  @Endpoint({ method: 'GET', path: 'docs/:asset', summary: 'A file of the documentation page', roles: 'public', params: DocsAssetParams, response: z.string(), produces: '*/*', errors: [404] })
  async asset(@Input('params') params: z.infer<typeof DocsAssetParams>, @Res({ passthrough: true }) reply: FastifyReply): Promise<string | Buffer> {
    if (params.asset === 'init.js') {
      reply.type('text/javascript; charset=utf-8');
      return INIT;
    }
    const type = ASSETS[params.asset];
    if (!type) throw new NotFoundError('DOCS.NO_SUCH_ASSET', `The docs page has no file ${params.asset}`);
    let content = this.cache.get(params.asset);
    if (!content) {
      content = await readFile(join(swaggerUiDir(), params.asset));
      this.cache.set(params.asset, content);
    }
    reply.type(type).header('Cache-Control', 'public, max-age=3600');
    return content;
  }
}
