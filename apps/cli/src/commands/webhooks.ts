import type { Command } from 'commander';
import { DeliveryStatus, WebhookKind, type DeletedWebhook, type DeliveryPage, type DeliveryView, type WebhookCreatedReply, type WebhookPage } from '@orch/contracts';
import { details, printJson, table } from '../output';
import { jsonOption, list, oneOf, positiveInt, type CommandContext } from './context';

const path = (...parts: string[]) => `/api/v1/webhooks${parts.map((p) => `/${encodeURIComponent(p)}`).join('')}`;

interface AddOpts {
  kind: string;
  events: string[];
  sprint?: string;
  task?: string;
  description?: string;
  json?: boolean;
}

/** `orch webhooks add|list|rm|deliveries|redeliver`. */
export function webhookCommands(program: Command, ctx: CommandContext): void {
  const webhooks = program.command('webhooks').description('Slack, Discord and signed webhooks: subscriptions and their delivery log');

  jsonOption(webhooks.command('add').description('subscribe a URL to events (admin key)').argument('<url>'))
    .requiredOption('--kind <kind>', WebhookKind.options.join('|'), oneOf(WebhookKind.options))
    .requiredOption('--events <globs>', 'comma-separated event types or globs, e.g. orchestration.bug.*,orchestration.agent.lost', list)
    .option('--sprint <code>', 'only events of this sprint')
    .option('--task <code>', 'only events of this task')
    .option('--description <text>', 'a note for people')
    .action(async (url: string, opts: AddOpts) => {
      const body = { url, kind: opts.kind, events: opts.events, sprintCode: opts.sprint, taskCode: opts.task, description: opts.description };
      const w = (await ctx.client().post<WebhookCreatedReply>(path(), body)).body;
      if (opts.json) return printJson(ctx.io, w);
      ctx.io.stdout.write(`webhook ${w.id} (${w.kind}) → ${w.url} for ${w.events.join(', ')}\n`);
      if (w.secret) ctx.io.stdout.write(`signing secret (shown once, keep it now): ${w.secret}\n`);
    });

  jsonOption(webhooks.command('list').description('list webhook subscriptions')).action(async (opts: { json?: boolean }) => {
    const page = (await ctx.client().get<WebhookPage>(path())).body;
    if (opts.json) return printJson(ctx.io, page);
    const rows = page.items.map((w) => [w.id, w.kind, w.enabled ? 'enabled' : `disabled: ${w.disabledReason ?? ''}`, w.url, w.events.join(','), w.taskCode ?? w.sprintCode]);
    ctx.io.stdout.write(table(['ID', 'KIND', 'STATE', 'URL', 'EVENTS', 'FILTER'], rows));
  });

  webhooks
    .command('rm')
    .description('delete a webhook subscription (admin key)')
    .argument('<id>')
    .action(async (id: string) => {
      const { body } = await ctx.client().request<DeletedWebhook>('DELETE', path(id));
      ctx.io.stdout.write(`deleted ${body.id}\n`);
    });

  jsonOption(webhooks.command('deliveries').description('the delivery log of a webhook: attempts, status codes, latency, next retry').argument('<id>'))
    .option('--status <status>', DeliveryStatus.options.join('|'), oneOf(DeliveryStatus.options))
    .option('--limit <n>', 'at most n deliveries', positiveInt)
    .action(async (id: string, opts: { status?: string; limit?: number; json?: boolean }) => {
      const page = (await ctx.client().get<DeliveryPage>(path(id, 'deliveries'), { status: opts.status, limit: opts.limit })).body;
      if (opts.json) return printJson(ctx.io, page);
      const rows = page.items.map((d) => [d.id, d.status, d.eventType, d.attempts, d.lastStatusCode ?? d.lastError, latency(d), d.nextAttemptAt]);
      ctx.io.stdout.write(table(['DELIVERY', 'STATUS', 'EVENT', 'ATTEMPTS', 'LAST', 'LATENCY', 'NEXT RETRY'], rows));
    });

  jsonOption(webhooks.command('redeliver').description('send a dead letter again (admin key)').argument('<id>').argument('<deliveryId>')).action(
    async (id: string, deliveryId: string, opts: { json?: boolean }) => {
      const d = (await ctx.client().post<DeliveryView>(path(id, 'deliveries', deliveryId, 'redeliver'), {})).body;
      if (opts.json) return printJson(ctx.io, d);
      ctx.io.stdout.write(details([['delivery', d.id], ['status', d.status], ['event', `${d.eventType} ${d.eventId}`], ['attempts so far', d.attempts]]));
    },
  );
}

const latency = (d: DeliveryView): string | null => {
  const last = d.log[d.log.length - 1];
  return last ? `${Math.round(last.latencyMs)} ms` : null;
};
