import { isPhaseCustom, isPhaseEnd, isPhaseStart, SessionEvent as SessionEventSchema, type Actor, type CommitView, type ConversationSummary, type NoteView, type PhaseRecord, type SessionEvent, type SessionStatus, type SessionTurn } from '@orch/contracts';
import type { AggregateDefinition, EventMeta } from '@orch/event-store';
import { addTurn, emptyConversation } from './conversation';
import { applyPrivate, touchShared, type EntryMeta, type PrivateEntry } from './scoped-state';

export interface Artifact {
  name: string;
  sha256: string;
  size: number;
  content: string | null;
  uri: string | null;
  phase: string;
  registeredAt: string;
}

export interface Action {
  version: number;
  at: string;
  type: string;
  by: string;
  summary: string;
}

export interface Session {
  key: string;
  taskCode: string;
  sprintCode: string | null;
  taskTitle: string;
  template: string;
  phases: string[];
  status: SessionStatus;
  currentPhase: string;
  agentId: string | null;
  startedBy: Actor;
  startedAt: string;
  endedAt: string | null;
  phaseHistory: PhaseRecord[];
  artifacts: Record<string, Artifact>;
  fields: Record<string, string>;
  notes: NoteView[];
  progressCount: number;
  commits: CommitView[];
  pullRequest: { url: string; provider: 'github' | 'gitlab'; number: number; linkedAt: string } | null;
  changes: { files: string[]; diffSummary: string | null } | null;
  state: Record<string, unknown>;
  stateVersion: number;
  /** Per-entry versions of the shared state (removed entries keep theirs). */
  stateMeta: Record<string, EntryMeta>;
  /** Private entries: owner (a caller id) → name → entry. */
  privateState: Record<string, Record<string, PrivateEntry>>;
  /** The newest turns of the conversation (KEPT_TURNS), and its totals. */
  turns: SessionTurn[];
  conversation: ConversationSummary;
  /** Time worked before the current active stretch, and when that stretch began (null while suspended/ended). */
  activeMs: number;
  activeSince: string | null;
  estimateMinutes: number | null;
  lastActions: Action[];
  version: number;
}

export type SessionState = Session | null;

/** The briefing's "last N actions" come from here; more than this is never asked for. */
export const KEPT_ACTIONS = 50;
/** Notes kept in the state (the log keeps all of them; search finds the rest). */
export const KEPT_NOTES = 200;

export const initialState = (): SessionState => null;

const ms = (iso: string) => Date.parse(iso);

/** Time worked up to `at`: the closed stretches plus the open one. */
export function activeMsAt(s: Session, at: string): number {
  return s.activeMs + (s.activeSince ? Math.max(0, ms(at) - ms(s.activeSince)) : 0);
}

export function evolve(state: SessionState, event: SessionEvent, meta: EventMeta): SessionState {
  if (event.type === 'orchestration.session.start') return started(event.data, meta);
  if (!state) return state;
  // Turns have their own list in the briefing: as actions they would crowd out the phase changes and notes.
  const s = event.type === 'orchestration.session.turn_added' ? { ...state, version: meta.version } : record({ ...state, version: meta.version }, event, meta);
  if (isPhaseStart(event)) {
    return { ...s, currentPhase: event.data.phase, phaseHistory: [...s.phaseHistory, { phase: event.data.phase, startedAt: meta.occurredAt, endedAt: null, durationMs: null, overridden: false }] };
  }
  if (isPhaseEnd(event)) {
    const history = s.phaseHistory.map((p, i) => (i === s.phaseHistory.length - 1 && p.phase === event.data.phase ? { ...p, endedAt: meta.occurredAt, durationMs: event.data.durationMs, overridden: event.data.overridden } : p));
    return { ...s, phaseHistory: history };
  }
  switch (event.type) {
    case 'orchestration.session.end':
      return { ...s, status: event.data.status, endedAt: meta.occurredAt, activeMs: event.data.activeMs, activeSince: null };
    case 'orchestration.session.suspended':
      return { ...s, status: 'SUSPENDED', activeMs: activeMsAt(s, meta.occurredAt), activeSince: null };
    case 'orchestration.session.resumed':
      return { ...s, status: 'ACTIVE', agentId: event.data.agentId ?? s.agentId, activeSince: meta.occurredAt };
    case 'orchestration.session.taken_over':
      return { ...s, agentId: event.data.toAgentId };
    case 'orchestration.phase.override':
      return s;
    case 'orchestration.session.note_added':
      return { ...s, notes: keep([...s.notes, { kind: 'note', text: event.data.text, phase: event.data.phase, at: meta.occurredAt, by: meta.actor.id }], KEPT_NOTES) };
    case 'orchestration.session.progress_updated':
      return { ...s, progressCount: s.progressCount + 1, notes: keep([...s.notes, { kind: 'progress', text: event.data.text, phase: event.data.phase, at: meta.occurredAt, by: meta.actor.id }], KEPT_NOTES) };
    case 'orchestration.session.artifact_registered': {
      const { name, sha256, size, content, uri, phase } = event.data;
      return { ...s, artifacts: { ...s.artifacts, [name]: { name, sha256, size, content, uri, phase, registeredAt: meta.occurredAt } } };
    }
    case 'orchestration.session.state_updated': {
      const next = { ...s.state, ...event.data.set };
      for (const k of event.data.removed) delete next[k];
      return { ...s, state: next, stateVersion: event.data.stateVersion, stateMeta: touchShared(s.stateMeta, Object.keys(event.data.set), event.data.removed, meta) };
    }
    case 'orchestration.session.private_state_updated':
      return { ...s, privateState: applyPrivate(s.privateState, event.data, meta) };
    case 'orchestration.session.turn_added':
      return addTurn(s, event.data, meta);
    case 'orchestration.session.commit_recorded': {
      const { hash, shortHash, message, author, phase } = event.data;
      return { ...s, commits: [...s.commits, { hash, shortHash, message, author, phase, capturedAt: meta.occurredAt }] };
    }
    case 'orchestration.session.changes_recorded':
      return { ...s, changes: { files: event.data.files, diffSummary: event.data.diffSummary } };
    case 'orchestration.session.pull_request_linked':
      return { ...s, pullRequest: { url: event.data.url, provider: event.data.provider, number: event.data.number, linkedAt: meta.occurredAt } };
    case 'orchestration.session.fields_recorded':
      return { ...s, fields: { ...s.fields, ...event.data.fields } };
    default:
      return s;
  }
}

function started(d: Extract<SessionEvent, { type: 'orchestration.session.start' }>['data'], meta: EventMeta): Session {
  const s: Session = {
    key: d.sessionKey,
    taskCode: d.taskCode,
    sprintCode: d.sprintCode,
    taskTitle: d.taskTitle,
    template: d.template,
    phases: d.phases,
    status: 'ACTIVE',
    currentPhase: d.phases[0]!,
    agentId: d.agentId,
    startedBy: meta.actor,
    startedAt: meta.occurredAt,
    endedAt: null,
    phaseHistory: [],
    artifacts: {},
    fields: {},
    notes: [],
    progressCount: 0,
    commits: [],
    pullRequest: null,
    changes: null,
    state: {},
    stateVersion: 0,
    stateMeta: {},
    privateState: {},
    turns: [],
    conversation: emptyConversation(),
    activeMs: 0,
    activeSince: meta.occurredAt,
    estimateMinutes: d.estimateMinutes,
    lastActions: [],
    version: meta.version,
  };
  return record(s, { type: 'orchestration.session.start', data: d }, meta);
}

const keep = <T>(list: T[], n: number): T[] => (list.length > n ? list.slice(list.length - n) : list);

/** Every event is an action the briefing can name. */
function record(s: Session, event: SessionEvent, meta: EventMeta): Session {
  const action: Action = { version: meta.version, at: meta.occurredAt, type: event.type, by: meta.actor.id, summary: summarise(event) };
  return { ...s, lastActions: keep([...s.lastActions, action], KEPT_ACTIONS) };
}

const clip = (text: string, n = 120) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

/** One line per event, in words a person (or an agent) reads at a glance. */
export function summarise(event: SessionEvent): string {
  if (isPhaseStart(event)) return `started phase ${event.data.phase}`;
  if (isPhaseEnd(event)) return `completed phase ${event.data.phase}${event.data.overridden ? ' (override)' : ''}`;
  if (isPhaseCustom(event)) return `${event.data.event}${event.data.text ? `: ${clip(event.data.text)}` : ''}`;
  switch (event.type) {
    case 'orchestration.session.start':
      return `started the session on ${event.data.taskCode} (${event.data.template})`;
    case 'orchestration.session.end':
      return `ended the session as ${event.data.status}${event.data.forced ? ' (forced)' : ''}`;
    case 'orchestration.phase.override':
      return `overrode the gate of ${event.data.phase}: ${clip(event.data.reason)}`;
    case 'orchestration.session.suspended':
      return `suspended the session: ${clip(event.data.reason)}`;
    case 'orchestration.session.resumed':
      return `resumed the session${event.data.agentId ? ` as ${event.data.agentId}` : ''}`;
    case 'orchestration.session.taken_over':
      return `took the session over from ${event.data.fromAgentId ?? 'nobody'}`;
    case 'orchestration.session.note_added':
      return `note: ${clip(event.data.text)}`;
    case 'orchestration.session.progress_updated':
      return `progress${event.data.percent !== null ? ` ${event.data.percent}%` : ''}: ${clip(event.data.text)}`;
    case 'orchestration.session.artifact_registered':
      return `registered artifact ${event.data.name}`;
    case 'orchestration.session.state_updated':
      return `updated shared state (${[...Object.keys(event.data.set), ...event.data.removed.map((k) => `-${k}`)].join(', ')})`;
    case 'orchestration.session.commit_recorded':
      return `recorded commit ${event.data.shortHash} ${clip(event.data.message.split('\n')[0]!, 80)}`;
    case 'orchestration.session.changes_recorded':
      return `recorded the diff (${event.data.files.length} files)`;
    case 'orchestration.session.pull_request_linked':
      return `linked pull request ${event.data.url}`;
    case 'orchestration.session.fields_recorded':
      return `recorded ${Object.keys(event.data.fields).join(', ')}`;
    case 'orchestration.session.turn_added':
      return `${event.data.role} turn ${event.data.turn}: ${clip(event.data.content.replace(/\s+/g, ' '), 80)}`;
    case 'orchestration.session.private_state_updated':
      // The briefing is readable by every role: name the owner, never the entry or its value.
      return `${event.data.removed ? 'removed' : 'updated'} private state of ${event.data.owner}`;
    default:
      return (event as { type: string }).type;
  }
}

export const SessionAggregate: AggregateDefinition<SessionState, SessionEvent> = {
  type: 'session',
  initialState,
  evolve,
  eventSchema: SessionEventSchema,
};
