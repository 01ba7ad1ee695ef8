import { z } from 'zod';

export const DependencyState = z.enum(['up', 'down']);

/** What every service answers on its NATS health subject, and what `/ready` aggregates. */
export const HealthReport = z.object({
  service: z.string(),
  instance: z.string(),
  status: z.enum(['up', 'degraded']),
  uptimeSeconds: z.number(),
  checks: z.record(z.string(), DependencyState),
});
export type HealthReport = z.infer<typeof HealthReport>;
