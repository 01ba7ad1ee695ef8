import type { ServerResponse } from 'node:http';
import { Inject, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import {
  AppendSessionLogsBody, AppendSessionLogsReply, MAX_SESSION_LOG_LINES, SessionKey, SessionLogPage, SessionLogRoutes as R, SessionLogsExportQuery, SessionLogsQuery, SessionLogStats,
} from '@orch/contracts';
import { READERS, WRITERS } from '../auth/roles';
import { ApiController, Endpoint } from '../http/endpoint';
import { CallerOf, Input, type Caller, type GatewayRequest } from '../http/request-state';
import { ServiceCaller } from '../rpc/service-caller';
import { LOGGER } from '../tokens';

const KeyParams = z.strictObject({ key: SessionKey });
type Key = z.infer<typeof KeyParams>;
/** 403: an agent key on a session another agent holds. */
const ERRORS = [403, 404];
const EXPORT_PAGE = 1_000;

/** `/api/v1/sessions/:key/logs`: agent logs per session, kept by the session service on their own stream. */
@ApiController('sessions')
export class SessionLogsController {
  constructor(
    private readonly services: ServiceCaller,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Endpoint({
    method: 'POST', path: ':key/logs', summary: 'Append log lines to a session',
    description: `Up to ${MAX_SESSION_LOG_LINES} lines a request, each with \`level\` (debug, info, warn, error, critical), \`source\` (orchestrator, agent, task, system), \`message\`, optional \`at\` and a small \`context\`. ` +
      'Secrets are redacted before the lines are stored; `redactions` counts them. An agent key may write only to its own sessions. `Idempotency-Key` makes a retry store the lines once.',
    roles: WRITERS, params: KeyParams, body: AppendSessionLogsBody, response: AppendSessionLogsReply, status: 201, write: true, service: true, errors: ERRORS,
  })
  appendLogs(@Input('params') p: Key, @Input('body') body: AppendSessionLogsBody, @CallerOf() caller: Caller) {
    return this.services.call(R.append, { sessionKey: p.key, body }, caller);
  }

  @Endpoint({
    method: 'GET', path: ':key/logs', summary: "A page of a session's log lines, oldest first",
    description: '`level` is the lowest level shown; `q` a case-insensitive substring of the message; `since` an ISO time (lines received from then on) or a cursor (lines after it). ' +
      'Pass `next` as `since` for the following page, or to poll for new lines. Old lines are dropped by the logs stream\'s age and size limits.',
    roles: READERS, params: KeyParams, query: SessionLogsQuery, response: SessionLogPage, service: true, errors: ERRORS,
  })
  listLogs(@Input('params') p: Key, @Input('query') query: SessionLogsQuery, @CallerOf() caller: Caller) {
    return this.services.call(R.list, { sessionKey: p.key, query }, caller);
  }

  @Endpoint({ method: 'GET', path: ':key/logs/stats', summary: "Counts of a session's log lines", description: 'By level and by source, the total, and the error rate ((error + critical) / total) of the lines still stored.', roles: READERS, params: KeyParams, response: SessionLogStats, service: true, errors: ERRORS })
  logStats(@Input('params') p: Key, @CallerOf() caller: Caller) {
    return this.services.call(R.stats, { sessionKey: p.key }, caller);
  }

  @Endpoint({
    method: 'GET', path: ':key/logs/export', summary: "Every log line of a session as NDJSON",
    description: 'One JSON line per log line, oldest first, streamed page by page (never held whole). Takes the filters of `GET …/logs`. A transfer cut short (a broken connection) lacks its final chunk.',
    roles: READERS, params: KeyParams, query: SessionLogsExportQuery, response: z.string(), produces: 'application/x-ndjson', service: true, errors: ERRORS,
  })
  async exportLogs(@Input('params') p: Key, @Input('query') query: SessionLogsExportQuery, @CallerOf() caller: Caller, @Req() req: GatewayRequest, @Res() reply: FastifyReply): Promise<void> {
    const page = (since: string | undefined) => this.services.call(R.list, { sessionKey: p.key, query: { ...query, since, limit: EXPORT_PAGE } }, caller).then((r) => r.value);
    // The first page is asked for before any header is sent: a 404 or 403 is still a problem document.
    let current = await page(query.since);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'application/x-ndjson; charset=utf-8',
      'content-disposition': `attachment; filename="${p.key}.ndjson"`,
      'cache-control': 'no-store',
      'x-correlation-id': req.orch.correlationId,
    });
    try {
      for (;;) {
        if (current.items.length > 0) await write(res, current.items.map((item) => `${JSON.stringify(item)}\n`).join(''));
        if (!current.more || res.destroyed) break;
        current = await page(current.next ?? undefined);
      }
      res.end();
    } catch (error) {
      // Headers are out: the only honest signal left is to cut the connection (no final chunk).
      this.logger.warn({ err: error, correlationId: req.orch.correlationId, sessionKey: p.key }, 'session logs export: cut short');
      res.destroy();
    }
  }
}

/** Writes with backpressure: waits for `drain` (or the client leaving) when the socket's buffer is full. */
function write(res: ServerResponse, text: string): Promise<void> {
  if (res.write(text)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
