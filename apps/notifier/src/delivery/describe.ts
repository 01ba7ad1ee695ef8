import type { EventEnvelope } from '@orch/contracts';

/** An event told for people: what happened, to what, and where to look. Rendered per kind. */
export interface Story {
  emoji: string;
  /** One line: what happened, to which task/session/agent. */
  title: string;
  /** Details worth a glance (reason, message, …). */
  detail: string | null;
  fields: Array<[string, string]>;
  link: string | null;
  /** Severity colour for Discord embeds. */
  color: number;
}

const RED = 0xd73a49;
const ORANGE = 0xe36209;
const GREEN = 0x28a745;
const BLUE = 0x0366d6;

const s = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : typeof v === 'number' ? String(v) : null);
const cut = (v: string | null, n = 500): string | null => (v && v.length > n ? `${v.slice(0, n - 1)}…` : v);
const who = (e: EventEnvelope): string => `${e.actor.kind} ${e.actor.id}`;

/** Where the gateway shows the thing this event is about, when a public URL is configured. */
function linkOf(e: EventEnvelope, base: string | undefined): string | null {
  if (!base) return null;
  const root = `${base.replace(/\/+$/, '')}/api/v1`;
  const id = encodeURIComponent(e.aggregateId);
  const paths: Record<string, string> = { session: `sessions/${id}`, task: `tasks/${id}`, sprint: `sprints/${id}`, bug: `bugs/${id}`, agent: `agents/${id}`, workflow: `workflows/${id}`, webhook: `webhooks` };
  return paths[e.aggregateType] ? `${root}/${paths[e.aggregateType]}` : `${root}/events?type=${encodeURIComponent(e.type)}`;
}

function context(e: EventEnvelope): Array<[string, string]> {
  const fields: Array<[string, string]> = [];
  const task = s(e.data.taskCode) ?? (e.aggregateType === 'task' ? e.aggregateId : null);
  const session = s(e.data.sessionKey) ?? (e.aggregateType === 'session' ? e.aggregateId : null);
  const agent = s(e.data.agentId) ?? (e.aggregateType === 'agent' ? e.aggregateId : null);
  if (task) fields.push(['Task', task]);
  if (s(e.data.sprintCode)) fields.push(['Sprint', s(e.data.sprintCode)!]);
  if (session) fields.push(['Session', session]);
  if (agent) fields.push(['Agent', agent]);
  return fields;
}

/** The default messages (SPEC §4.6), and a plain fallback for every other event type. */
export function describeEvent(e: EventEnvelope, publicUrl?: string): Story {
  const d = e.data;
  const base = { fields: context(e), link: linkOf(e, publicUrl) };
  const task = s(d.taskCode) ?? (e.aggregateType === 'task' ? e.aggregateId : null);
  const on = task ? ` on ${task}` : '';
  switch (e.type) {
    case 'orchestration.phase.override': {
      const missing = Array.isArray(d.missing) ? d.missing.map((m) => s((m as { name?: unknown })?.name) ?? s(m)).filter(Boolean).join(', ') : null;
      const by = d.actor && typeof d.actor === 'object' ? `${s((d.actor as { kind?: unknown }).kind) ?? ''} ${s((d.actor as { id?: unknown }).id) ?? ''}`.trim() : who(e);
      const step = `${s(d.phase) ?? 'a phase'}${s(d.to) ? ` → ${s(d.to)}` : ''}`;
      const detail = [s(d.reason) && `Reason: ${s(d.reason)}`, missing && `Missing: ${missing}`].filter(Boolean).join('\n') || null;
      return { ...base, emoji: ':warning:', color: ORANGE, title: `Phase override${on}: ${step} forced past its gate by ${by}`, detail: cut(detail) };
    }
    case 'orchestration.session.suspended':
      return { ...base, emoji: ':pause_button:', color: ORANGE, title: `Session suspended${on}: ${s(d.sessionKey) ?? e.aggregateId}${s(d.phase) ? ` in ${s(d.phase)}` : ''}`, detail: cut(s(d.reason) && `Reason: ${s(d.reason)}`) };
    case 'orchestration.agent.lost': {
      const tasks = Array.isArray(d.taskCodes) && d.taskCodes.length > 0 ? d.taskCodes.join(', ') : null;
      return { ...base, emoji: ':rotating_light:', color: RED, title: `Agent lost: ${s(d.name) ?? e.aggregateId}${s(d.type) ? ` (${s(d.type)})` : ''} stopped sending heartbeats`, detail: tasks ? `Its tasks go back to the queue: ${tasks}` : null };
    }
    case 'orchestration.bug.logged':
      return { ...base, emoji: ':beetle:', color: RED, title: `New bug${on}: ${cut(s(d.errorClass) ?? 'Error', 80)}${s(d.category) ? ` [${s(d.category)}]` : ''}`, detail: cut(s(d.message) && `${s(d.message)}${s(d.file) ? `\nat ${s(d.file)}${s(d.line) ? `:${s(d.line)}` : ''}` : ''}`) };
    case 'orchestration.bug.regressed':
      return { ...base, emoji: ':repeat:', color: RED, title: `Regression${on}: a resolved bug is back`, detail: cut(s(d.message)) };
    case 'orchestration.task.status_updated':
      return taskMoved(e, base);
    case 'orchestration.workflow.completed':
      return { ...base, emoji: ':white_check_mark:', color: GREEN, title: `Workflow completed: ${e.aggregateId}`, detail: typeof d.taskCount === 'number' ? `${d.taskCount} tasks done` : null };
    case 'orchestration.budget.threshold_crossed': {
      const full = d.percent === 100;
      const what = `${s(d.scope) ?? 'budget'} ${s(d.scopeId) ?? e.aggregateId}`;
      const dimension = ({ tokens: 'tokens', costUsd: 'cost', wallSeconds: 'wall time' } as Record<string, string>)[String(d.dimension)] ?? String(d.dimension);
      const link = publicUrl && s(d.scope) ? `${publicUrl.replace(/\/+$/, '')}/api/v1/budgets/${encodeURIComponent(String(d.scope))}/${encodeURIComponent(e.aggregateId)}` : base.link;
      const fields: Array<[string, string]> = [...base.fields, [d.scope === 'workflow' ? 'Workflow' : 'Session', s(d.scopeId) ?? e.aggregateId]];
      return {
        ...base, fields, link, emoji: full ? ':money_with_wings:' : ':hourglass_flowing_sand:', color: full ? RED : ORANGE,
        title: full ? `Budget exhausted: ${dimension} of ${what}` : `Budget ${s(d.percent) ?? 80} % used: ${dimension} of ${what}`,
        detail: `${budgetAmount(d.dimension, d.used)} of ${budgetAmount(d.dimension, d.limit)} used`,
      };
    }
    default:
      return { ...base, emoji: ':information_source:', color: BLUE, title: `${e.type} on ${e.aggregateType} ${e.aggregateId}`, detail: null };
  }
}

/**
 * `task.status_updated` carries `{from, to, reason}` (the planner's TaskStatusUpdated). BLOCKED is
 * the one people must act on, so it reads as such; any other move says where the task went.
 */
function taskMoved(e: EventEnvelope, base: Pick<Story, 'fields' | 'link'>): Story {
  const from = s(e.data.from);
  const to = s(e.data.to);
  const reason = cut(s(e.data.reason) && `Reason: ${s(e.data.reason)}`);
  if (to === 'BLOCKED') return { ...base, emoji: ':no_entry:', color: RED, title: `Task blocked: ${e.aggregateId}${from ? ` (was ${from})` : ''}`, detail: reason ?? 'No reason given' };
  const color = to === 'FAILED' ? RED : to === 'DONE' ? GREEN : BLUE;
  const emoji = to === 'FAILED' ? ':x:' : to === 'DONE' ? ':white_check_mark:' : ':arrows_counterclockwise:';
  return { ...base, emoji, color, title: `Task ${e.aggregateId}: ${from ?? '?'} → ${to ?? '?'}`, detail: reason };
}

/** A budget figure as people read it: $1.25, 12,000 tokens, 95 s. */
function budgetAmount(dimension: unknown, value: unknown): string {
  const n = typeof value === 'number' ? value : Number(value);
  if (dimension === 'costUsd') return `$${n.toFixed(2)}`;
  if (dimension === 'wallSeconds') return `${Math.round(n)} s`;
  return `${n.toLocaleString('en-US')} tokens`;
}
