import { randomUUID } from 'node:crypto';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { HealthReport, type Subjects } from '@orch/contracts';

export type HealthCheck = () => Promise<boolean>;

const encoder = new TextEncoder();

/**
 * Answers `<prefix>.health.<service>` with the state of the service's own dependencies.
 * Not in a queue group: a caller that wants every instance can gather several replies.
 */
export function serveHealth(nc: NatsConnection, subjects: Subjects, service: string, checks: Record<string, HealthCheck>): Subscription {
  const instance = `${service}-${randomUUID().slice(0, 8)}`;
  const started = Date.now();
  const sub = nc.subscribe(subjects.health(service), {
    callback: (_err, msg) => {
      void answer(msg);
    },
  });
  return sub;

  async function answer(msg: Msg): Promise<void> {
      const results: Record<string, 'up' | 'down'> = {};
      await Promise.all(
        Object.entries(checks).map(async ([name, check]) => {
          const ok = await Promise.race([check().catch(() => false), new Promise<boolean>((r) => setTimeout(() => r(false), 1_000).unref())]);
          results[name] = ok ? 'up' : 'down';
        }),
      );
      const report: HealthReport = {
        service,
        instance,
        status: Object.values(results).every((s) => s === 'up') ? 'up' : 'degraded',
        uptimeSeconds: Math.round((Date.now() - started) / 1000),
        checks: results,
      };
      msg.respond(encoder.encode(JSON.stringify(report)));
  }
}

/** Asks one service for its health; null when no instance answers in time. */
export async function askHealth(nc: NatsConnection, subjects: Subjects, service: string, timeoutMs = 1_000): Promise<HealthReport | null> {
  try {
    const msg = await nc.request(subjects.health(service), new Uint8Array(), { timeout: timeoutMs });
    return HealthReport.parse(JSON.parse(new TextDecoder().decode(msg.data)));
  } catch {
    return null;
  }
}
