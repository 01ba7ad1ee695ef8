import { OrchError, UnavailableError } from '@orch/errors';

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08003', '08006']);
/**
 * Errors by name that only mean "a server is away": ioredis gives up on a command while Redis
 * restarts (MaxRetriesPerRequestError), and a NATS request or JetStream call times out, finds no
 * responder or a closed connection while nats-server restarts (found by the chaos suite).
 */
const UNAVAILABLE_NAMES = new Set(['MaxRetriesPerRequestError', 'TimeoutError', 'NoResponders', 'NoRespondersError', 'ClosedConnectionError', 'DrainingConnectionError', 'ConnectionError', 'RequestError']);

/**
 * A handler that failed because Postgres or Redis went away answers 503 (try again), not 500:
 * the request was fine, a dependency was not there.
 */
export function asUnavailable(error: unknown): unknown {
  if (error instanceof OrchError) return error;
  const e = error as { code?: string; driverError?: { code?: string }; message?: string; name?: string };
  const code = e?.driverError?.code ?? e?.code;
  const lost =
    (code && CONNECTION_CODES.has(code)) ||
    (e?.name !== undefined && UNAVAILABLE_NAMES.has(e.name)) ||
    /Connection terminated|connection is closed|Connection is closed|timeout exceeded when trying to connect|Stream isn't writeable|max retries per request/i.test(e?.message ?? '');
  return lost ? new UnavailableError('DEPENDENCY.UNAVAILABLE', 'A server the service needs (database, Redis or NATS) is not reachable; try again shortly') : error;
}
