import type { Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ENDPOINT, ROOT_CONTROLLER, type EndpointSpec } from './endpoint';

/** The API's prefix; root controllers (health, metrics, docs) are excluded from it. */
export const API_PREFIX = 'api/v1';

/** One route as it is served: where, by which handler, under which contract. */
export interface DiscoveredEndpoint {
  controller: string;
  handler: string;
  /** Path relative to the prefix, in Nest syntax (`sprints/:code`). */
  nestPath: string;
  /** Full path as served, in Nest syntax (`/api/v1/sprints/:code`). */
  path: string;
  /** Full path in OpenAPI syntax (`/api/v1/sprints/{code}`). */
  openApiPath: string;
  root: boolean;
  /** The controller's first path segment, used as the OpenAPI tag. */
  tag: string;
  spec: EndpointSpec;
}

const join = (...parts: string[]): string =>
  parts
    .flatMap((p) => p.split('/'))
    .filter(Boolean)
    .join('/');

/**
 * Reads every route of the given controllers from their decorator metadata. A handler that
 * Nest would route but that lacks `@Endpoint` is a programming error: it would be served
 * without auth rules, validation or documentation, so discovery refuses it.
 */
export function discoverEndpoints(controllers: readonly Type[]): DiscoveredEndpoint[] {
  const found: DiscoveredEndpoint[] = [];
  for (const controller of controllers) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    const root = Reflect.getMetadata(ROOT_CONTROLLER, controller) === true;
    const proto = controller.prototype as Record<string, unknown>;
    for (const handler of Object.getOwnPropertyNames(proto)) {
      const fn = proto[handler];
      if (handler === 'constructor' || typeof fn !== 'function') continue;
      if (Reflect.getMetadata(METHOD_METADATA, fn) === undefined) continue;
      const spec = Reflect.getMetadata(ENDPOINT, fn) as EndpointSpec | undefined;
      if (!spec) throw new Error(`${controller.name}.${handler} is a route without @Endpoint metadata`);
      const nestPath = join(base, String(Reflect.getMetadata(PATH_METADATA, fn) ?? ''));
      const path = `/${join(root ? '' : API_PREFIX, nestPath)}`;
      found.push({
        controller: controller.name,
        handler,
        nestPath,
        path,
        openApiPath: path.replace(/:([A-Za-z0-9_]+)/g, '{$1}'),
        root,
        tag: root ? 'operations' : nestPath.split('/')[0]!,
        spec,
      });
    }
  }
  return found;
}
