import { z } from 'zod';
import { BaseConfig, ConfigError, loadConfig } from '@orch/config';

const ms = z.coerce.number().int().min(1);
const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

/** The notifier's variables on top of the base (all optional; the defaults suit `npm start`). */
export const NotifierConfig = BaseConfig.extend({
  /**
   * 32 bytes, base64: seals subscription URLs and signing secrets before they enter the log.
   * Required in production; elsewhere a fixed development key is used (and said so at start).
   */
  WEBHOOK_SEAL_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes in base64 (openssl rand -base64 32)')
    .optional(),
  /** Hosts, addresses or CIDR ranges that may be targets even though private or loopback, comma-separated. */
  WEBHOOK_ALLOWED_HOSTS: z.string().max(4000).default(''),
  /** Loopback targets (127.0.0.0/8, ::1, localhost) without listing them; default true outside production. */
  WEBHOOK_ALLOW_LOOPBACK: flag.optional(),
  /** Attempts per delivery before it becomes a dead letter. */
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  /** First retry delay; doubles each attempt (full jitter), capped by WEBHOOK_BACKOFF_MAX_MS. */
  WEBHOOK_BACKOFF_BASE_MS: ms.default(1_000),
  WEBHOOK_BACKOFF_MAX_MS: ms.default(3_600_000),
  /** One request's time limit (connect, headers and body). */
  WEBHOOK_TIMEOUT_MS: ms.default(10_000),
  /** Requests in flight per subscription; a slow endpoint only ever holds its own. */
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** How often due retries and abandoned claims are looked for (new deliveries wake the sender at once). */
  WEBHOOK_POLL_MS: ms.default(1_000),
  /** Base for links in Slack and Discord messages (e.g. https://orch.example.com). */
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
});
export type NotifierConfig = z.infer<typeof NotifierConfig> & { sealKey: Buffer; allowLoopback: boolean };

/** A development key, public on purpose: it only protects data on a developer's own machine. */
const DEV_SEAL_KEY = Buffer.alloc(32, 'orch-dev-webhook-seal-key-000000');

export function loadNotifierConfig(env: NodeJS.ProcessEnv): NotifierConfig {
  const c = loadConfig(NotifierConfig, env);
  if (c.NODE_ENV === 'production' && !c.WEBHOOK_SEAL_KEY) {
    // Same rule as API keys: production never runs on a development secret.
    throw new ConfigError(['WEBHOOK_SEAL_KEY: is required in production (openssl rand -base64 32)']);
  }
  return {
    ...c,
    sealKey: c.WEBHOOK_SEAL_KEY ? Buffer.from(c.WEBHOOK_SEAL_KEY, 'base64') : DEV_SEAL_KEY,
    allowLoopback: c.WEBHOOK_ALLOW_LOOPBACK ?? c.NODE_ENV !== 'production',
  };
}
