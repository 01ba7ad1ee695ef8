import { z } from 'zod';
import { DependencyState, SprintCode, TaskCode } from '@orch/contracts';
import { Problem } from './problem';

/** Path parameters: ids are validated with the contract id schemas before any service is asked. */
export const SprintCodeParams = z.strictObject({ code: SprintCode });
export const TaskCodeParams = z.strictObject({ code: TaskCode });

/** `/health`: the process is alive; nothing else is checked. */
export const HealthStatus = z.object({ status: z.literal('ok') });
export type HealthStatus = z.infer<typeof HealthStatus>;

/** `/ready`: each dependency and service by name, `up` or `down`. */
export const ReadinessReport = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z.record(z.string(), DependencyState),
});
export type ReadinessReport = z.infer<typeof ReadinessReport>;

/** `/openapi.json`: the document itself (its shape is the OpenAPI 3.1 specification's). */
export const OpenApiJson = z.looseObject({ openapi: z.literal('3.1.0') });

/** `/docs/:asset`: one of the files of the bundled Swagger UI. */
export const DocsAssetParams = z.strictObject({ asset: z.string().regex(/^[a-z0-9-]+\.(css|js|png)$/, 'must be a file name of the docs page') });

/** Schemas of the gateway's own answers, named in the OpenAPI components like the contracts' ones. */
export const GATEWAY_SCHEMAS = { Problem, HealthStatus, ReadinessReport, OpenApiJson };
