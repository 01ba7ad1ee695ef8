import { withoutPrivateFields, type EventEnvelope, type WebhookKind } from '@orch/contracts';
import { describeEvent, type Story } from './describe';

/**
 * Slack mrkdwn treats `<…>` as links and mentions (`<!channel>`): text from events is escaped so
 * an agent's bug message can never ping a channel or smuggle a link. Same for Discord, whose
 * `allowed_mentions` is set to none.
 */
const slackEscape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function slackPayload(story: Story, e: EventEnvelope): Record<string, unknown> {
  const title = `${story.emoji} ${slackEscape(story.title)}`;
  const blocks: unknown[] = [{ type: 'section', text: { type: 'mrkdwn', text: `*${title}*${story.detail ? `\n${slackEscape(story.detail)}` : ''}` } }];
  if (story.fields.length > 0) blocks.push({ type: 'section', fields: story.fields.map(([k, v]) => ({ type: 'mrkdwn', text: `*${k}*\n${slackEscape(v)}` })) });
  const context = [{ type: 'mrkdwn', text: `${slackEscape(e.type)} · ${slackEscape(`${e.actor.kind} ${e.actor.id}`)} · ${e.occurredAt}` }];
  blocks.push({ type: 'context', elements: context });
  if (story.link) blocks.push({ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open' }, url: story.link }] });
  // `text` is what notifications and clients without blocks show.
  return { text: `${story.emoji} ${slackEscape(story.title)}`, blocks };
}

export function discordPayload(story: Story, e: EventEnvelope): Record<string, unknown> {
  const embed: Record<string, unknown> = {
    title: story.title.slice(0, 256),
    description: story.detail?.slice(0, 4000) ?? undefined,
    color: story.color,
    fields: story.fields.map(([name, value]) => ({ name, value: value.slice(0, 1024), inline: true })),
    timestamp: e.occurredAt,
    footer: { text: `${e.type} · ${e.actor.kind} ${e.actor.id}`.slice(0, 2048) },
  };
  if (story.link) embed.url = story.link;
  return { content: story.title.slice(0, 2000), embeds: [embed], allowed_mentions: { parse: [] } };
}

/** The body a subscription of `kind` receives for one event (generic: the event itself, plus its log sequence). */
export function bodyFor(kind: WebhookKind, event: EventEnvelope, seq: number, publicUrl?: string): string {
  // A webhook is another generic reader of the log: private values never leave the Orchestrator.
  const e = { ...event, data: withoutPrivateFields(event.type, event.data) };
  if (kind === 'generic') return JSON.stringify({ ...e, seq });
  const story = describeEvent(e, publicUrl);
  return JSON.stringify(kind === 'slack' ? slackPayload(story, e) : discordPayload(story, e));
}
