import type { Command } from 'commander';
import { ok } from '../client';
import { printJson, table } from '../output';
import { examples, jsonOption, nonNegativeInt, positiveInt, type CommandContext } from './context';

/** `orch events`: the log, paged by stream sequence. */
export function eventsCommand(program: Command, ctx: CommandContext): void {
  examples(jsonOption(program.command('events').description('read the event log, oldest first')), 'orch events --limit 20', "orch events --type 'orchestration.task.*' --after 1200", 'orch events --after 1200 --json')
    .option('--after <seq>', 'only events after this sequence', nonNegativeInt)
    .option('--limit <n>', 'at most n events', positiveInt)
    .option('--type <type>', 'an event type or a glob, e.g. orchestration.task.*')
    .action(async (opts: { after?: number; limit?: number; type?: string; json?: boolean }) => {
      const body = await ok(ctx.client().api.GET('/api/v1/events', { params: { query: { after: opts.after, limit: opts.limit, type: opts.type } } }));
      if (opts.json) return printJson(ctx.io, body);
      const rows = body.items.map((e) => [e.seq, e.occurredAt, e.type, `${e.aggregateType}/${e.aggregateId}`, `${e.actor.kind}:${e.actor.id}`]);
      ctx.io.stdout.write(table(['SEQ', 'OCCURRED', 'TYPE', 'AGGREGATE', 'ACTOR'], rows, ctx.style('stdout')));
      // A full page may have more behind it; the server's default page is 100.
      if (body.items.length > 0 && body.items.length >= (opts.limit ?? 100)) ctx.io.stderr.write(`next page: orch events --after ${body.nextAfter}\n`);
    });
}
