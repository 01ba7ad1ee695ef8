import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../ops/metrics';
import { parseCorrelationId, RequestHeader, ResponseHeader } from './headers';
import type { GatewayRequest } from './request-state';

/**
 * Fastify hooks that must see every request, routed or not, before Nest does: the correlation
 * id (so even a 404 or a 413 can be quoted), and on the way out the request log line and the
 * request metrics.
 */
export function installRequestHooks(fastify: FastifyInstance, logger: Logger, metrics: GatewayMetrics): void {
  fastify.decorateRequest('orch', null);

  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const { id, replaced } = parseCorrelationId(request.headers[RequestHeader.correlationId]);
    (request as GatewayRequest).orch = { correlationId: id, startedAt: process.hrtime.bigint(), timing: { serviceNs: 0n } };
    reply.header(ResponseHeader.correlationId, id);
    if (replaced) logger.debug({ correlationId: id }, 'unusable X-Correlation-Id replaced');
  });

  // Server-Timing: how long the gateway itself took and how long it waited on services, so a
  // client (and the gateway benchmark) can tell the gateway's overhead from the service's work.
  fastify.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const state = (request as GatewayRequest).orch;
    if (!state) return payload;
    const totalNs = process.hrtime.bigint() - state.startedAt;
    const serviceNs = state.timing.serviceNs;
    reply.header(ResponseHeader.serverTiming, `gateway;dur=${ms(totalNs - serviceNs)}, service;dur=${ms(serviceNs)}`);
    return payload;
  });

  fastify.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    const state = (request as GatewayRequest).orch;
    if (!state) return;
    const seconds = Number(process.hrtime.bigint() - state.startedAt) / 1e9;
    // The pattern, not the URL: `/api/v1/tasks/:code` keeps the metric's label set bounded.
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(request.method, route, reply.statusCode, seconds);
    logger.info(
      { correlationId: state.correlationId, method: request.method, route, status: reply.statusCode, ms: Math.round(seconds * 1000), key: state.principal?.keyId },
      'request',
    );
  });
}

const ms = (ns: bigint): string => (Number(ns) / 1e6).toFixed(2);
