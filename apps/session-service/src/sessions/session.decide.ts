import { phaseCustomType, phaseEndType, phaseStartType, type Actor, type SessionEvent, type SessionStatus } from '@orch/contracts';
import { ConflictError, ForbiddenError, NotFoundError, PreconditionFailedError, RuleViolation } from '@orch/errors';
import { decideTurn, type AddTurn } from './conversation';
import { missingFor, type Gate } from './gate';
import { decideStateEntry, type PutStateEntry } from './scoped-state';
import { activeMsAt, type Session, type SessionState } from './session';

/** Config and caller facts a phase change depends on; the handler gathers them, so decide stays pure. */
export interface PhasePolicy {
  allowPhaseSkip: boolean;
  allowOverride: boolean;
}

export type SessionCommand =
  | { type: 'StartSession'; at: string; data: { sessionKey: string; taskCode: string; sprintCode: string | null; template: string; phases: string[]; agentId: string | null; taskTitle: string; estimateMinutes: number | null } }
  | { type: 'CompletePhase'; at: string; expectedPhase?: string; to?: string; fields: Record<string, string>; gate: Gate; policy: PhasePolicy; override?: { reason: string; actor: Actor; allowed: boolean } }
  | { type: 'EndSession'; at: string; force: boolean; reason: string | null; status: 'COMPLETED' | 'FAILED'; closeGate: Gate; summary?: string; requireDone?: boolean }
  | { type: 'SuspendSession'; reason: string; agentId: string | null }
  | { type: 'ResumeSession'; agentId: string | null; reason: string | null }
  | { type: 'AddNote'; text: string }
  /** `event`: a custom phase event to emit with it; `declared` is each phase's custom events (from the template). */
  | { type: 'UpdateProgress'; text: string; percent: number | null; event?: { name: string; declared: Record<string, string[]> } }
  | { type: 'RegisterArtifact'; name: string; sha256: string; size: number; content: string | null; uri: string | null }
  | { type: 'UpdateState'; set: Record<string, unknown>; remove: string[]; expectedStateVersion?: number }
  | { type: 'RecordCommit'; hash: string; message: string; author: string; phase?: string }
  | { type: 'RecordChanges'; files: string[]; diffSummary: string | null }
  | { type: 'LinkPullRequest'; url: string; provider: 'github' | 'gitlab'; number: number }
  | AddTurn
  | PutStateEntry
  /** Writes nothing: refuses as any write would (no session, ended), for state kept outside the log. */
  | { type: 'CheckWritable' };

const ENDED: SessionStatus[] = ['COMPLETED', 'FAILED'];

function existing(state: SessionState): Session {
  if (!state) throw new NotFoundError('SESSION.NOT_FOUND', 'No such session');
  return state;
}

function open(state: SessionState): Session {
  const s = existing(state);
  if (ENDED.includes(s.status)) throw new ConflictError('SESSION.ENDED', `Session ${s.key} is ${s.status}; start a new one with orch session-start ${s.taskCode}`);
  return s;
}

function active(state: SessionState): Session {
  const s = open(state);
  if (s.status !== 'ACTIVE') throw new ConflictError('SESSION.SUSPENDED', `Session ${s.key} is suspended; resume it first: orch session-resume ${s.key}`);
  return s;
}

const base = (s: Session) => ({ sessionKey: s.key, taskCode: s.taskCode, sprintCode: s.sprintCode });
const since = (from: string, to: string) => Math.max(0, Date.parse(to) - Date.parse(from));
const openPhaseStart = (s: Session) => s.phaseHistory.at(-1)?.startedAt ?? s.startedAt;

export function decide(command: SessionCommand, state: SessionState): SessionEvent[] {
  switch (command.type) {
    case 'StartSession': {
      if (state) throw new ConflictError('SESSION.EXISTS', `Session ${command.data.sessionKey} exists already`);
      const d = command.data;
      return [
        { type: 'orchestration.session.start', data: d },
        { type: phaseStartType(d.phases[0]!), data: { sessionKey: d.sessionKey, taskCode: d.taskCode, sprintCode: d.sprintCode, phase: d.phases[0]!, from: null } },
      ];
    }
    case 'CompletePhase':
      return completePhase(command, active(state));
    case 'EndSession':
      return endSession(command, open(state));
    case 'SuspendSession': {
      const s = open(state);
      if (s.status === 'SUSPENDED') return [];
      return [{ type: 'orchestration.session.suspended', data: { ...base(s), phase: s.currentPhase, reason: command.reason, agentId: command.agentId ?? s.agentId } }];
    }
    case 'ResumeSession': {
      const s = open(state);
      const other = command.agentId !== null && command.agentId !== s.agentId;
      if (s.status === 'ACTIVE') {
        if (!other) return [];
        throw new ConflictError('SESSION.HELD', `Session ${s.key} is ACTIVE with agent ${s.agentId}; only a SUSPENDED session can be taken over`);
      }
      const events: SessionEvent[] = [];
      if (other) events.push({ type: 'orchestration.session.taken_over', data: { ...base(s), phase: s.currentPhase, fromAgentId: s.agentId, toAgentId: command.agentId, reason: command.reason } });
      events.push({ type: 'orchestration.session.resumed', data: { ...base(s), phase: s.currentPhase, agentId: command.agentId ?? s.agentId } });
      return events;
    }
    case 'AddNote': {
      const s = open(state);
      return [{ type: 'orchestration.session.note_added', data: { ...base(s), phase: s.currentPhase, text: command.text } }];
    }
    case 'UpdateProgress': {
      const s = open(state);
      const events: SessionEvent[] = [{ type: 'orchestration.session.progress_updated', data: { ...base(s), phase: s.currentPhase, text: command.text, percent: command.percent } }];
      if (command.event) events.push(phaseEvent(s, command.event.name, command.event.declared[s.currentPhase] ?? [], command.text));
      return events;
    }
    case 'RegisterArtifact': {
      const s = open(state);
      const { type: _type, ...a } = command;
      const same = s.artifacts[a.name];
      if (same && same.sha256 === a.sha256 && same.uri === a.uri) return []; // a retry or an unchanged file
      return [{ type: 'orchestration.session.artifact_registered', data: { ...base(s), phase: s.currentPhase, ...a } }];
    }
    case 'UpdateState': {
      const s = open(state);
      if (command.expectedStateVersion !== undefined && command.expectedStateVersion !== s.stateVersion) {
        throw new PreconditionFailedError('SESSION.STATE_VERSION_MISMATCH', `The shared state of ${s.key} is at version ${s.stateVersion}, not ${command.expectedStateVersion}`, { currentVersion: s.stateVersion });
      }
      return [{ type: 'orchestration.session.state_updated', data: { ...base(s), set: command.set, removed: command.remove, stateVersion: s.stateVersion + 1 } }];
    }
    case 'RecordCommit': {
      const s = existing(state);
      if (s.commits.some((c) => c.hash === command.hash)) return [];
      const phase = command.phase ?? s.currentPhase;
      return [{ type: 'orchestration.session.commit_recorded', data: { ...base(s), phase, hash: command.hash, shortHash: command.hash.slice(0, 7), message: command.message, author: command.author } }];
    }
    case 'RecordChanges': {
      const s = existing(state);
      return [{ type: 'orchestration.session.changes_recorded', data: { ...base(s), phase: s.currentPhase, files: command.files, diffSummary: command.diffSummary } }];
    }
    case 'LinkPullRequest': {
      const s = existing(state);
      if (s.pullRequest?.url === command.url) return [];
      return [{ type: 'orchestration.session.pull_request_linked', data: { ...base(s), url: command.url, provider: command.provider, number: command.number } }];
    }
    case 'AddTurn':
      return decideTurn(command, open(state));
    case 'PutStateEntry':
      return decideStateEntry(command, open(state));
    case 'CheckWritable':
      open(state);
      return [];
    default: {
      const never: never = command;
      return never;
    }
  }
}

/** A custom event of the current phase, only when its template declares it (else nothing is written). */
function phaseEvent(s: Session, name: string, declared: string[], text: string): SessionEvent {
  const phase = s.currentPhase.toLowerCase();
  if (!declared.includes(name)) {
    throw new RuleViolation('SESSION.EVENT_NOT_DECLARED', `${s.currentPhase} of ${s.template} does not declare ${phase}.${name}${declared.length ? ` (it declares ${declared.map((d) => `${phase}.${d}`).join(', ')})` : ' (it declares no events of its own)'}`, [
      { kind: 'event', name: `${phase}.${name}`, hint: declared.length ? `emit one of: ${declared.join(', ')} (orch update "…" --event ${declared[0]})` : `${s.currentPhase} declares no events; report progress without --event` },
    ]);
  }
  return { type: phaseCustomType(s.currentPhase, name), data: { ...base(s), phase: s.currentPhase, event: `${phase}.${name}`, text } };
}

function completePhase(c: Extract<SessionCommand, { type: 'CompletePhase' }>, s: Session): SessionEvent[] {
  const current = s.currentPhase;
  if (c.expectedPhase && c.expectedPhase !== current) {
    throw new ConflictError('SESSION.PHASE_MOVED', `Session ${s.key} is in ${current}, not ${c.expectedPhase}: someone completed it already`, { currentPhase: current });
  }
  const index = s.phases.indexOf(current);
  if (index === s.phases.length - 1) {
    throw new RuleViolation('SESSION.LAST_PHASE', `${current} is the last phase: end the session instead (orch session-end)`);
  }
  const to = c.to ?? s.phases[index + 1]!;
  const target = s.phases.indexOf(to);
  if (target <= index) throw new RuleViolation('SESSION.PHASE_ORDER', `${to} is not after ${current} in ${s.template} (${s.phases.join(' → ')})`);
  if (target > index + 1 && !c.policy.allowPhaseSkip) {
    throw new RuleViolation('SESSION.PHASE_ORDER', `Phases advance in order: ${current} → ${s.phases[index + 1]} (workflow.allow_phase_skip is off)`);
  }
  const missing = missingFor(s, c.gate, c.fields);
  const events: SessionEvent[] = [];
  if (Object.keys(c.fields).length) events.push({ type: 'orchestration.session.fields_recorded', data: { ...base(s), phase: current, fields: c.fields } });
  if (missing.length && !c.override) {
    throw new RuleViolation('SESSION.PHASE_REQUIREMENTS_MISSING', `${current} cannot complete: ${missing.map((m) => `${m.kind} ${m.name}`).join(', ')} missing`, missing);
  }
  const overridden = missing.length > 0 && !!c.override;
  if (overridden) {
    if (!c.policy.allowOverride) throw new ForbiddenError('SESSION.OVERRIDE_DISABLED', 'Overrides are turned off (workflow.allow_user_override)');
    if (!c.override!.allowed) throw new ForbiddenError('SESSION.OVERRIDE_FORBIDDEN', 'Only an admin or a full-permission agent may override a phase gate');
    events.push({ type: 'orchestration.phase.override', data: { ...base(s), phase: current, to, reason: c.override!.reason, actor: c.override!.actor, missing, skipped: s.phases.slice(index + 1, target) } });
  }
  events.push({ type: phaseEndType(current), data: { ...base(s), phase: current, durationMs: since(openPhaseStart(s), c.at), overridden } });
  events.push({ type: phaseStartType(to), data: { ...base(s), phase: to, from: current } });
  return events;
}

function endSession(c: Extract<SessionCommand, { type: 'EndSession' }>, s: Session): SessionEvent[] {
  const last = s.phases.at(-1)!;
  const atClose = s.currentPhase === last;
  if (!atClose && !c.force && !c.requireDone) {
    throw new RuleViolation('SESSION.NOT_AT_CLOSE', `A session ends from ${last}; it is in ${s.currentPhase}. Complete the phases, or end it with --force (recorded)`, [
      { kind: 'field', name: 'phase', hint: `complete ${s.currentPhase} first: orch phase-complete` },
    ]);
  }
  const fields: Record<string, string> = c.summary ? { summary: c.summary } : {};
  const missing = atClose && !c.requireDone ? missingFor(s, c.closeGate, fields) : [];
  if (c.requireDone) {
    // `done` (the seeds' smart validation): a summary and at least one progress update.
    if (!(c.summary ?? s.fields.summary)?.trim()) missing.push({ kind: 'summary', name: 'summary', hint: 'say what was done: orch done "summary"' });
    if (s.progressCount === 0) missing.push({ kind: 'progress', name: 'progress update', hint: 'report progress at least once: orch update "…"' });
  }
  if (missing.length && !c.force) {
    throw new RuleViolation('SESSION.CLOSE_REQUIREMENTS_MISSING', `The session cannot end: ${missing.map((m) => `${m.kind} ${m.name}`).join(', ')} missing. Choose: add them now, force close (--force, recorded), or keep working`, missing, {
      choices: ['add what is missing now', 'force close (recorded): --force', 'keep working'],
    });
  }
  const events: SessionEvent[] = [];
  if (c.summary) events.push({ type: 'orchestration.session.fields_recorded', data: { ...base(s), phase: s.currentPhase, fields } });
  const phaseMs = since(openPhaseStart(s), c.at);
  events.push({ type: phaseEndType(s.currentPhase), data: { ...base(s), phase: s.currentPhase, durationMs: phaseMs, overridden: false } });
  const phaseDurations: Record<string, number> = {};
  for (const p of s.phaseHistory) if (p.durationMs !== null) phaseDurations[p.phase] = (phaseDurations[p.phase] ?? 0) + p.durationMs;
  phaseDurations[s.currentPhase] = (phaseDurations[s.currentPhase] ?? 0) + phaseMs;
  // Ending anywhere but a satisfied CLOSE is a forced end, whether by --force or by `done`.
  const forced = !atClose || missing.length > 0;
  events.push({
    type: 'orchestration.session.end',
    data: { ...base(s), status: c.status, phase: s.currentPhase, forced, reason: c.reason, activeMs: activeMsAt(s, c.at), phaseDurations },
  });
  return events;
}
