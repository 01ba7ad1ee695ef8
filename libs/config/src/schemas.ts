import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535);
const positiveMs = z.coerce.number().int().min(1);
const url = (protocols: string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `must be a URL starting with ${protocols.join(' or ')}//`);

/** Variables every process of the system reads. */
export const BaseConfig = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  NATS_STREAM: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, "_" or "-"').default('ORCH_EVENTS'),
  NATS_SUBJECT_PREFIX: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'must be one subject token').default('orch'),
  NATS_REPLICAS: z.coerce.number().int().refine((n) => [1, 3, 5].includes(n), 'must be 1, 3 or 5').default(1),
  NATS_DUPLICATE_WINDOW_MS: positiveMs.default(120_000),
  DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://postgres@127.0.0.1:5432/orchestrator'),
  DB_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier').default('public'),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  REDIS_PREFIX: z.string().max(64).default('orch:'),
  RPC_TIMEOUT_MS: positiveMs.default(5_000),
});
export type BaseConfig = z.infer<typeof BaseConfig>;

/** The gateway's own variables on top of the base. */
export const GatewayConfig = BaseConfig.extend({
  GATEWAY_PORT: port.default(3000),
  GATEWAY_HOST: z.string().min(1).default('127.0.0.1'),
  /** `key:role` pairs, comma-separated, e.g. `k1:admin,k2:agent`. */
  ORCH_API_KEYS: z
    .string()
    .regex(/^[^:,\s]{8,}:(admin|agent|viewer)(,[^:,\s]{8,}:(admin|agent|viewer))*$/, 'must be key:role pairs (role admin, agent or viewer; keys of 8+ characters) separated by commas')
    .optional(),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(2 * 1024 * 1024),
  READ_WAIT_MS: z.coerce.number().int().min(0).max(30_000).default(2_000),
  PUBLIC_URL: url(['http:', 'https:']).optional(),
  /** Per-role request rates, `role:perSecond:burst` comma-separated, or `off`. Shared by every gateway instance (Redis). */
  RATE_LIMITS: z
    .string()
    .regex(/^(off|(admin|agent|viewer):\d+(\.\d+)?:\d+(,(admin|agent|viewer):\d+(\.\d+)?:\d+)*)$/, 'must be `off` or role:perSecond:burst pairs, e.g. agent:100:1000,viewer:50:500')
    .default('admin:500:2000,agent:100:1000,viewer:50:500'),
  /** Server-Sent Events: a comment line this often keeps proxies from closing an idle stream. */
  SSE_HEARTBEAT_MS: positiveMs.default(15_000),
  /** A client whose unsent backlog passes this is dropped (it resumes with Last-Event-ID), so it never slows the others. */
  SSE_MAX_BUFFER_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
  SSE_MAX_CLIENTS: z.coerce.number().int().min(1).default(1000),
});
export type GatewayConfig = z.infer<typeof GatewayConfig>;

/** The session service's own variables on top of the base. */
export const SessionServiceConfig = BaseConfig.extend({
  /** Turns of the conversation the resume briefing includes when the caller does not say (0-50). */
  SESSION_BRIEFING_TURNS: z.coerce.number().int().min(0).max(50).default(10),
});
export type SessionServiceConfig = z.infer<typeof SessionServiceConfig>;
