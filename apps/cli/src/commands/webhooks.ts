import type { Command } from 'commander';
import { DeliveryStatus, WebhookKind } from '@orch/contracts';
import { ok, type Schema } from '../client';
import { details, printJson, table } from '../output';
import { examples, jsonOption, list, oneOf, positiveInt, type CommandContext } from './context';

interface AddOpts {
  kind: WebhookKind;
  events: string[];
  sprint?: string;
  task?: string;
  description?: string;
  json?: boolean;
}

/** `orch webhooks add|list|rm|disable|enable|deliveries|redeliver`. */
export function webhookCommands(program: Command, ctx: CommandContext): void {
  const api = () => ctx.client().api;
  const style = () => ctx.style('stdout');
  const webhooks = examples(
    program.command('webhooks').description('Slack, Discord and signed webhooks: subscriptions and their delivery log'),
    'orch webhooks add https://hooks.slack.com/services/T000/B000/XXXX --kind slack --events "orchestration.bug.*"',
    'orch webhooks list',
    'orch webhooks deliveries wh_0123456789abcdef --status dead',
  );

  examples(
    jsonOption(webhooks.command('add').description('subscribe a URL to events (admin key)').argument('<url>')),
    'orch webhooks add https://hooks.slack.com/services/T000/B000/XXXX --kind slack --events "orchestration.bug.*"',
    'orch webhooks add https://ci.example.com/orch --kind generic --events orchestration.task.*,orchestration.agent.lost --sprint SPR-001',
  )
    .requiredOption('--kind <kind>', WebhookKind.options.join('|'), oneOf(WebhookKind.options))
    .requiredOption('--events <globs>', 'comma-separated event types or globs, e.g. orchestration.bug.*,orchestration.agent.lost', list)
    .option('--sprint <code>', 'only events of this sprint')
    .option('--task <code>', 'only events of this task')
    .option('--description <text>', 'a note for people')
    .action(async (url: string, opts: AddOpts) => {
      const body = { url, kind: opts.kind, events: opts.events, sprintCode: opts.sprint, taskCode: opts.task, description: opts.description };
      const w = await ok(api().POST('/api/v1/webhooks', { body }));
      if (opts.json) return printJson(ctx.io, w);
      ctx.io.stdout.write(`webhook ${w.id} (${w.kind}) → ${w.url} for ${w.events.join(', ')}\n`);
      if (w.secret) ctx.io.stdout.write(`signing secret (shown once, keep it now): ${w.secret}\n`);
    });

  examples(jsonOption(webhooks.command('list').description('list webhook subscriptions')), 'orch webhooks list', 'orch webhooks list --json').action(async (opts: { json?: boolean }) => {
    const page = await ok(api().GET('/api/v1/webhooks'));
    if (opts.json) return printJson(ctx.io, page);
    const rows = page.items.map((w) => [w.id, w.kind, w.enabled ? 'enabled' : `disabled: ${w.disabledReason ?? ''}`, w.url, w.events.join(','), w.taskCode ?? w.sprintCode]);
    ctx.io.stdout.write(table(['ID', 'KIND', 'STATE', 'URL', 'EVENTS', 'FILTER'], rows, style()));
  });

  examples(webhooks.command('rm').description('delete a webhook subscription (admin key)').argument('<id>'), 'orch webhooks rm wh_0123456789abcdef').action(async (id: string) => {
    const body = await ok(api().DELETE('/api/v1/webhooks/{id}', { params: { path: { id } } }));
    ctx.io.stdout.write(`deleted ${body.id}\n`);
  });

  examples(
    jsonOption(webhooks.command('disable').description('stop deliveries to a webhook; waiting ones are cancelled (admin key)').argument('<id>')),
    'orch webhooks disable wh_0123456789abcdef --reason "channel archived"',
  )
    .option('--reason <text>', 'why, shown in the list and the log')
    .action(async (id: string, opts: { reason?: string; json?: boolean }) => {
      const body = opts.reason === undefined ? {} : { reason: opts.reason };
      const w = await ok(api().POST('/api/v1/webhooks/{id}/disable', { params: { path: { id } }, body }));
      if (opts.json) return printJson(ctx.io, w);
      ctx.io.stdout.write(`disabled ${w.id}: ${w.disabledReason ?? ''}\n`);
    });

  examples(
    jsonOption(webhooks.command('enable').description('resume deliveries to a disabled webhook, from the next event on (admin key)').argument('<id>')),
    'orch webhooks enable wh_0123456789abcdef',
  ).action(async (id: string, opts: { json?: boolean }) => {
    const w = await ok(api().POST('/api/v1/webhooks/{id}/enable', { params: { path: { id } } }));
    if (opts.json) return printJson(ctx.io, w);
    // Said plainly: events logged while it was disabled are not sent now.
    ctx.io.stdout.write(`enabled ${w.id}: events from now on are delivered\n`);
  });

  examples(
    jsonOption(webhooks.command('deliveries').description('the delivery log of a webhook: attempts, status codes, latency, next retry').argument('<id>')),
    'orch webhooks deliveries wh_0123456789abcdef',
    'orch webhooks deliveries wh_0123456789abcdef --status dead --limit 20 --json',
  )
    .option('--status <status>', DeliveryStatus.options.join('|'), oneOf(DeliveryStatus.options))
    .option('--limit <n>', 'at most n deliveries', positiveInt)
    .action(async (id: string, opts: { status?: DeliveryStatus; limit?: number; json?: boolean }) => {
      const page = await ok(api().GET('/api/v1/webhooks/{id}/deliveries', { params: { path: { id }, query: { status: opts.status, limit: opts.limit } } }));
      if (opts.json) return printJson(ctx.io, page);
      const rows = page.items.map((d) => [d.id, d.status, d.eventType, d.attempts, d.lastStatusCode ?? d.lastError, latency(d), d.nextAttemptAt]);
      ctx.io.stdout.write(table(['DELIVERY', 'STATUS', 'EVENT', 'ATTEMPTS', 'LAST', 'LATENCY', 'NEXT RETRY'], rows, style()));
    });

  examples(
    jsonOption(webhooks.command('redeliver').description('send a dead letter again (admin key)').argument('<id>').argument('<deliveryId>')),
    'orch webhooks redeliver wh_0123456789abcdef 6f1c1c9e-4a4b-4b8a-9d0c-1f2e3d4c5b6a',
  ).action(async (id: string, deliveryId: string, opts: { json?: boolean }) => {
    const d = await ok(api().POST('/api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver', { params: { path: { id, deliveryId } } }));
    if (opts.json) return printJson(ctx.io, d);
    ctx.io.stdout.write(details([['delivery', d.id], ['status', d.status], ['event', `${d.eventType} ${d.eventId}`], ['attempts so far', d.attempts]], style()));
  });
}

const latency = (d: Schema<'DeliveryView'>): string | null => {
  const last = d.log[d.log.length - 1];
  return last ? `${Math.round(last.latencyMs)} ms` : null;
};
