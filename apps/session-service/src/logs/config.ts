import { z } from 'zod';
import { loadConfig } from '@orch/config';

const DAY_MS = 24 * 3600 * 1000;

/**
 * How long and how much of the session logs JetStream keeps (limits-based retention: the oldest
 * lines go first). Logs are high-volume diagnostics, not history: the event log keeps history.
 */
export const SessionLogsEnv = z.object({
  /** Lines older than this are dropped by the server. Default 14 days. */
  SESSION_LOGS_MAX_AGE_MS: z.coerce.number().int().min(1_000, 'must be at least 1000 (1 s)').default(14 * DAY_MS),
  /** The stream's size cap; past it the oldest lines are dropped. Default 1 GiB. */
  SESSION_LOGS_MAX_BYTES: z.coerce.number().int().min(64 * 1024, 'must be at least 65536 (64 KiB)').default(1024 ** 3),
});
export type SessionLogsEnv = z.infer<typeof SessionLogsEnv>;

export interface SessionLogsSettings {
  maxAgeMs: number;
  maxBytes: number;
}

/** Read at start-up: a bad value is a ConfigError naming the variable. */
export function loadSessionLogsSettings(env: NodeJS.ProcessEnv = process.env): SessionLogsSettings {
  const c = loadConfig(SessionLogsEnv, env);
  return { maxAgeMs: c.SESSION_LOGS_MAX_AGE_MS, maxBytes: c.SESSION_LOGS_MAX_BYTES };
}
