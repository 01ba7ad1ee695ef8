import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { parseSessionLogSince, type AppendSessionLogsBody, type AppendSessionLogsReply, type SessionLogLineInput, type SessionLogPage, type SessionLogsQuery, type SessionLogStats } from '@orch/contracts';
import type { CommandMeta } from '@orch/event-store';
import { redactSecrets } from '@orch/redaction';
import { LOGGER } from '@orch/service-kit';
import type { StoredLine } from './chunk';
import { LogAccess } from './log-access';
import { cursorOf, filterOf, PageBuilder, StatsBuilder } from './log-query';
import { SessionLogStore } from './log-store';

/** Secrets never reach storage: messages and string context values go through the shared scanner. */
export function redactLine(line: SessionLogLineInput, receivedAt: string): { line: StoredLine; redactions: number } {
  const message = redactSecrets(line.message);
  let redactions = message.count;
  let context: StoredLine['context'];
  if (line.context) {
    context = {};
    for (const [k, v] of Object.entries(line.context)) {
      if (typeof v !== 'string') {
        context[k] = v;
        continue;
      }
      const r = redactSecrets(v);
      redactions += r.count;
      context[k] = r.text;
    }
  }
  return { line: { level: line.level, source: line.source, message: message.text, at: line.at ?? receivedAt, ...(context ? { context } : {}) }, redactions };
}

/** Append, page, count: the three things the routes do with a session's logs. */
@Injectable()
export class SessionLogs {
  constructor(
    private readonly store: SessionLogStore,
    private readonly access: LogAccess,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async append(sessionKey: string, body: AppendSessionLogsBody, meta: CommandMeta): Promise<AppendSessionLogsReply> {
    await this.access.check(sessionKey, meta.actor, 'write');
    let redactions = 0;
    const lines = body.lines.map((input) => {
      const r = redactLine(input, meta.issuedAt);
      redactions += r.redactions;
      return r.line;
    });
    const chunks = await this.store.append(sessionKey, lines, { commandId: meta.commandId, actorId: meta.actor.id });
    const first = chunks[0]!;
    const last = chunks[chunks.length - 1]!;
    return {
      sessionKey,
      accepted: lines.length,
      redactions,
      first: cursorOf(first.seq, 0),
      last: cursorOf(last.seq, last.lines - 1),
      warnings: [
        ...(redactions ? [`${redactions} secret(s) redacted from the lines before storing`] : []),
        ...(chunks.some((c) => c.duplicate) ? ['a retry of an earlier request (same Idempotency-Key): the lines were stored once'] : []),
      ],
    };
  }

  async list(sessionKey: string, query: SessionLogsQuery, meta: CommandMeta): Promise<SessionLogPage> {
    await this.access.check(sessionKey, meta.actor, 'read');
    const since = query.since === undefined ? null : parseSessionLogSince(query.since);
    const page = new PageBuilder(filterOf(query), since && 'seq' in since ? since : null, query.limit);
    let garbage = 0;
    await this.store.scan(sessionKey, since, (chunk) => {
      if (chunk.lines) return page.add({ seq: chunk.seq, receivedAt: chunk.receivedAt, lines: chunk.lines });
      garbage++;
      return true;
    });
    if (garbage) this.logger.warn({ sessionKey, skipped: garbage }, 'session logs: skipped messages that are not log chunks');
    return { sessionKey, items: page.items, next: page.next, more: page.full };
  }

  async stats(sessionKey: string, meta: CommandMeta): Promise<SessionLogStats> {
    await this.access.check(sessionKey, meta.actor, 'read');
    const stats = new StatsBuilder();
    await this.store.scan(
      sessionKey,
      null,
      (chunk) => {
        if (chunk.counts) stats.add(chunk.counts, chunk.receivedAt);
        return true;
      },
      { headersOnly: true },
    );
    return stats.result(sessionKey);
  }
}
