import { Inject, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { GatewayConfig } from '@orch/config';
import { EventPage, ListEventsQuery, LogRoutes, StreamEventsQuery } from '@orch/contracts';
import { UnavailableError } from '@orch/errors';
import { READERS } from '../auth/roles';
import { ApiController, Endpoint } from '../http/endpoint';
import { CallerOf, Input, type Caller, type GatewayRequest } from '../http/request-state';
import { GatewayMetrics } from '../ops/metrics';
import { ServiceCaller } from '../rpc/service-caller';
import { EventHub } from '../stream/event-hub';
import { SseConnection } from '../stream/sse-connection';
import { eventFilter, parseLastEventId } from '../stream/stream-filter';
import { GATEWAY_CONFIG, LOGGER } from '../tokens';
import type { Logger } from 'pino';

/** `/api/v1/events`: the event log, paged by stream sequence (answered by the search service), and live. */
@ApiController('events')
export class EventsController {
  constructor(
    private readonly services: ServiceCaller,
    private readonly hub: EventHub,
    private readonly metrics: GatewayMetrics,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Endpoint({
    method: 'GET',
    summary: 'Page through the event log',
    description: 'Events after the stream sequence `after`, oldest first; pass `nextAfter` to get the next page. `type` takes a glob such as orchestration.task.*',
    roles: READERS,
    query: ListEventsQuery,
    response: EventPage,
    service: true,
  })
  listEvents(@Input('query') query: ListEventsQuery, @CallerOf() caller: Caller) {
    return this.services.call(LogRoutes.listEvents, query, caller);
  }

  @Endpoint({
    method: 'GET',
    path: 'stream',
    summary: 'Follow the event log live (Server-Sent Events)',
    description:
      'One SSE message per event: `id` is the stream sequence (`seq.index` for all but the last event of a multi-event commit), `event` the type, `data` the event as JSON. ' +
      'Reconnect with `Last-Event-ID` (or `?after=`) to resume without gaps or repeats. Filters: `types` (comma-separated globs) and scope ids; a sprint filter matches events that name the sprint. ' +
      'A comment line is sent every SSE_HEARTBEAT_MS; a client that reads slower than events arrive is disconnected and should resume.',
    roles: READERS,
    query: StreamEventsQuery,
    response: z.string(),
    produces: 'text/event-stream',
    errors: [503],
  })
  async stream(@Input('query') query: StreamEventsQuery, @Req() req: GatewayRequest, @Res() reply: FastifyReply): Promise<void> {
    const header = parseLastEventId(req.headers['last-event-id']);
    const start = header ?? (query.after === undefined ? undefined : { seq: query.after });
    if (this.hub.clients >= this.config.SSE_MAX_CLIENTS) throw new UnavailableError('STREAM.FULL', `This gateway already serves ${this.config.SSE_MAX_CLIENTS} event streams (SSE_MAX_CLIENTS); retry later or on another instance`);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-correlation-id': req.orch.correlationId,
    });
    const connection = new SseConnection(res, this.hub, start, {
      stream: this.config.NATS_STREAM,
      heartbeatMs: this.config.SSE_HEARTBEAT_MS,
      maxBufferBytes: this.config.SSE_MAX_BUFFER_BYTES,
      filter: eventFilter(query),
      onDrop: (reason) => {
        this.metrics.sseDrop();
        this.logger.warn({ correlationId: req.orch.correlationId, reason }, 'event stream: dropped a slow client');
      },
    });
    this.metrics.sseClients.inc();
    res.on('close', () => this.metrics.sseClients.dec());
    await connection.run().catch((error: Error) => {
      this.logger.warn({ err: error, correlationId: req.orch.correlationId }, 'event stream: closed after an error');
      connection.close();
    });
  }
}
