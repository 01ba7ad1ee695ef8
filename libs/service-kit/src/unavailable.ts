import { OrchError, UnavailableError } from '@orch/errors';

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08003', '08006']);

/**
 * A handler that failed because Postgres or Redis went away answers 503 (try again), not 500:
 * the request was fine, a dependency was not there.
 */
export function asUnavailable(error: unknown): unknown {
  if (error instanceof OrchError) return error;
  const e = error as { code?: string; driverError?: { code?: string }; message?: string };
  const code = e?.driverError?.code ?? e?.code;
  const lost = (code && CONNECTION_CODES.has(code)) || /Connection terminated|connection is closed|Connection is closed|timeout exceeded when trying to connect/i.test(e?.message ?? '');
  return lost ? new UnavailableError('DEPENDENCY.UNAVAILABLE', 'A database the service needs is not reachable; try again shortly') : error;
}
