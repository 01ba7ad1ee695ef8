import { ServiceName } from '@orch/contracts';
import { askHealth } from '@orch/messaging';
import type { ReadinessReport } from '../http/schemas';
import type { GatewayDependencies } from './dependencies';

type CheckState = 'up' | 'down';

/** Every back-end service the gateway routes to; `/ready` needs each of them to answer. */
export const BACKEND_SERVICES = ServiceName.options.filter((s) => s !== 'gateway');

const CHECK_TIMEOUT_MS = 1_000;

async function probe(check: () => Promise<unknown>): Promise<CheckState> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), CHECK_TIMEOUT_MS);
  });
  try {
    const ok = await Promise.race([check().then((v) => v !== false), timeout]);
    return ok ? 'up' : 'down';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Asks everything at once, each with a short timeout, so `/ready` answers within about a second
 * even when several things are down, and names each check.
 */
export async function checkReadiness(deps: GatewayDependencies): Promise<ReadinessReport> {
  const checks: Record<string, () => Promise<unknown>> = {
    nats: async () => !deps.nc.isClosed() && (await deps.nc.flush(), true),
    postgres: async () => (await deps.pool.query('SELECT 1')).rowCount === 1,
    redis: async () => (await deps.redis.ping()) === 'PONG',
  };
  for (const service of BACKEND_SERVICES) {
    checks[service] = async () => (await askHealth(deps.nc, deps.subjects, service, CHECK_TIMEOUT_MS))?.status === 'up';
  }
  const names = Object.keys(checks);
  const states = await Promise.all(names.map((name) => probe(checks[name]!)));
  const result = Object.fromEntries(names.map((name, i) => [name, states[i]!]));
  return { status: states.every((s) => s === 'up') ? 'ready' : 'unavailable', checks: result };
}
