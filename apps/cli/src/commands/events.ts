import type { Command } from 'commander';
import { ok } from '../client';
import { printJson, table, type Style } from '../output';
import { examples, jsonOption, nonNegativeInt, positiveInt, type CommandContext } from './context';

/** How long `--follow` waits before it reconnects, at most (it starts at 250 ms and doubles). */
const MAX_RECONNECT_MS = 5_000;

interface FollowOptions {
  after?: number;
  type?: string;
  task?: string;
  sprint?: string;
  session?: string;
  json?: boolean;
}

/** One event as the stream sends it (`data:` of an SSE message). */
interface StreamedEvent {
  seq?: number;
  occurredAt: string;
  type: string;
  aggregateType: string;
  aggregateId: string;
  actor: { kind: string; id: string };
}

/** `orch events`: the log, paged by stream sequence; with `--follow`, live until Ctrl-C. */
export function eventsCommand(program: Command, ctx: CommandContext): void {
  examples(
    jsonOption(program.command('events').description('read the event log, oldest first; --follow keeps printing new events')),
    'orch events --limit 20',
    "orch events --type 'orchestration.task.*' --after 1200",
    "orch events -f --type 'orchestration.agent.*,orchestration.task.*' --sprint SPR-001",
  )
    .option('--after <seq>', 'only events after this sequence', nonNegativeInt)
    .option('--limit <n>', 'at most n events', positiveInt)
    .option('--type <type>', 'an event type or a glob, e.g. orchestration.task.* (with --follow: several, comma-separated)')
    .option('-f, --follow', 'keep printing new events until Ctrl-C (reconnects and resumes where it was)')
    .option('--task <code>', 'with --follow: only events of this task')
    .option('--sprint <code>', 'with --follow: only events that name this sprint')
    .option('--session <key>', 'with --follow: only events of this session')
    .action(async (opts: FollowOptions & { limit?: number; follow?: boolean }) => {
      if (opts.follow) return follow(ctx, opts);
      const body = await ok(ctx.client().api.GET('/api/v1/events', { params: { query: { after: opts.after, limit: opts.limit, type: opts.type } } }));
      if (opts.json) return printJson(ctx.io, body);
      const rows = body.items.map((e) => [e.seq, e.occurredAt, e.type, `${e.aggregateType}/${e.aggregateId}`, `${e.actor.kind}:${e.actor.id}`]);
      ctx.io.stdout.write(table(['SEQ', 'OCCURRED', 'TYPE', 'AGGREGATE', 'ACTOR'], rows, ctx.style('stdout')));
      // A full page may have more behind it; the server's default page is 100.
      if (body.items.length > 0 && body.items.length >= (opts.limit ?? 100)) ctx.io.stderr.write(`next page: orch events --after ${body.nextAfter}\n`);
    });
}

/**
 * Follows `GET /events/stream` (Server-Sent Events). When the connection ends (a gateway restart,
 * a drop for reading too slowly), it reconnects with `Last-Event-ID`, so nothing is missed or
 * printed twice. A refusal (bad filter, bad key) ends it with that error.
 */
async function follow(ctx: CommandContext, opts: FollowOptions): Promise<void> {
  const query = { after: opts.after, types: opts.type, taskCode: opts.task, sprintCode: opts.sprint, sessionKey: opts.session };
  const style = ctx.style('stdout');
  let lastId: string | undefined;
  for (let delay = 250; ; delay = Math.min(delay * 2, MAX_RECONNECT_MS)) {
    let stream: ReadableStream<Uint8Array> | null;
    try {
      const headers = { accept: 'text/event-stream', ...(lastId ? { 'last-event-id': lastId } : {}) };
      stream = (await ok(ctx.client().api.GET('/api/v1/events/stream', { params: { query }, headers, parseAs: 'stream' }))) as ReadableStream<Uint8Array> | null;
    } catch (error) {
      // Refused (4xx): waiting will not fix it. Unreachable or 5xx: the gateway may be back soon.
      const status = (error as { status?: number }).status;
      if (status !== undefined && status > 0 && status < 500) throw error; // 0: unreachable
      ctx.io.stderr.write(`event stream unavailable (${(error as Error).message}); reconnecting in ${delay} ms\n`);
      await new Promise((r) => setTimeout(r, delay));
      continue;
    }
    let received = false;
    // No body, or a body that ends: either way, wait and resume (never a busy loop). Only a broken
    // connection is waited out: an error of ours (printing) ends the command with its message.
    let ours: unknown;
    if (stream) {
      await readEvents(stream, (id, event) => {
        received = true;
        lastId = id;
        if (event === null) {
          ctx.io.stderr.write(`warning: event ${id} is not JSON; skipped\n`);
          return;
        }
        try {
          ctx.io.stdout.write(opts.json ? `${JSON.stringify({ id, ...event })}\n` : eventLine(id, event, style));
        } catch (error) {
          ours = error;
          throw error;
        }
      }).catch(() => undefined);
    }
    if (ours) throw ours;
    if (received) delay = 250; // it was working: the next gap is a new outage
    ctx.io.stderr.write(`event stream ended; resuming after ${lastId ?? 'the start'}\n`);
    await new Promise((r) => setTimeout(r, delay));
  }
}

function eventLine(id: string, e: StreamedEvent, style: Style): string {
  return `${id.padEnd(8)} ${e.occurredAt}  ${style.bold(e.type)}  ${e.aggregateType}/${e.aggregateId}  ${e.actor.kind}:${e.actor.id}\n`;
}

/**
 * Reads SSE messages (`id:`, `event:`, `data:` lines, a blank line ends one); comments are
 * heartbeats. An event whose data is not JSON comes as null, so the reader can say so and go on.
 */
export async function readEvents(stream: ReadableStream<Uint8Array>, onEvent: (id: string, event: StreamedEvent | null) => void): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = '';
  let id = '';
  let data = '';
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl).replace(/\r$/, '');
      buffer = buffer.slice(nl + 1);
      if (line === '') {
        if (data) onEvent(id, parsed(data));
        data = '';
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') id = value;
      else if (field === 'data') data = data ? `${data}\n${value}` : value;
    }
  }
}

function parsed(data: string): StreamedEvent | null {
  try {
    return JSON.parse(data) as StreamedEvent;
  } catch {
    return null;
  }
}
