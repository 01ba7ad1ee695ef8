import type { SessionEvent } from '@orch/contracts';
import { ConflictError, ForbiddenError, NotFoundError, PreconditionFailedError, RuleViolation } from '@orch/errors';
import { deciderSpec } from '@orch/testing';
import type { Gate } from './gate';
import { decide, type PhasePolicy, type SessionCommand } from './session.decide';
import { evolve, initialState, type SessionState } from './session';

const spec = deciderSpec({ initialState, evolve, decide });
const KEY = 'sess_TSK-1_20260101_000000';
const base = { sessionKey: KEY, taskCode: 'TSK-1', sprintCode: 'SPR-1' };
const PHASES = ['INTAKE', 'RESEARCH', 'PLAN', 'EXECUTE', 'REVIEW', 'CLOSE'];
const AT = '2026-01-01T00:10:00.000Z';
const policy: PhasePolicy = { allowPhaseSkip: false, allowOverride: true };
const admin = { kind: 'human' as const, id: 'ops', role: 'admin' as const };

const started: SessionEvent[] = [
  { type: 'orchestration.session.start', data: { ...base, template: 'default', phases: PHASES, agentId: 'agent-1', taskTitle: 'Do it', estimateMinutes: 30 } },
  { type: 'orchestration.phase.intake.start', data: { ...base, phase: 'INTAKE', from: null } },
];
const artifact = (name: string): SessionEvent => ({ type: 'orchestration.session.artifact_registered', data: { ...base, phase: 'INTAKE', name, sha256: 'a'.repeat(64), size: 3, content: 'abc', uri: null } });
const moved = (from: string, to: string): SessionEvent[] => [
  { type: `orchestration.phase.${from.toLowerCase()}.end`, data: { ...base, phase: from, durationMs: 0, overridden: false } },
  { type: `orchestration.phase.${to.toLowerCase()}.start`, data: { ...base, phase: to, from } },
];
const atClose: SessionEvent[] = [...started, ...moved('INTAKE', 'RESEARCH'), ...moved('RESEARCH', 'PLAN'), ...moved('PLAN', 'EXECUTE'), ...moved('EXECUTE', 'REVIEW'), ...moved('REVIEW', 'CLOSE')];
const suspended: SessionEvent = { type: 'orchestration.session.suspended', data: { ...base, phase: 'INTAKE', reason: 'agent lost', agentId: 'agent-1' } };
const ended: SessionEvent = { type: 'orchestration.session.end', data: { ...base, status: 'COMPLETED', phase: 'CLOSE', forced: false, reason: null, activeMs: 1, phaseDurations: {} } };

const gate = (over: Partial<Gate> = {}): Gate => ({ phase: 'INTAKE', requiredArtifacts: ['TASK.md'], requiredFields: [], checkArtifacts: true, ...over });
const complete = (over: Partial<Extract<SessionCommand, { type: 'CompletePhase' }>> = {}): SessionCommand => ({ type: 'CompletePhase', at: AT, fields: {}, gate: gate(), policy, ...over });
const end = (over: Partial<Extract<SessionCommand, { type: 'EndSession' }>> = {}): SessionCommand => ({
  type: 'EndSession',
  at: AT,
  force: false,
  reason: null,
  status: 'COMPLETED',
  closeGate: { phase: 'CLOSE', requiredArtifacts: [], requiredFields: ['summary'], checkArtifacts: true },
  ...over,
});
const fold = (events: SessionEvent[], at = (i: number) => `2026-01-01T00:0${i}:00.000Z`): SessionState =>
  events.reduce<SessionState>((s, e, i) => evolve(s, e, { occurredAt: at(i), version: i + 1, actor: { kind: 'agent', id: 'agent-1' } }), initialState());

describe('a session', () => {
  describe('when it does not exist', () => {
    it('starts in the first phase of its template', () => {
      const data = { ...base, template: 'default', phases: PHASES, agentId: 'agent-1', taskTitle: 'Do it', estimateMinutes: 30 };
      spec.given([]).when({ type: 'StartSession', at: AT, data }).then(started);
    });
    it('cannot complete a phase', () => {
      spec.given([]).when(complete()).thenThrows(NotFoundError, 'SESSION.NOT_FOUND');
    });
    it('cannot take a note', () => {
      spec.given([]).when({ type: 'AddNote', text: 'x' }).thenThrows(NotFoundError, 'SESSION.NOT_FOUND');
    });
  });

  describe('when started (INTAKE)', () => {
    it('is not started twice under one key', () => {
      spec.given(started).when({ type: 'StartSession', at: AT, data: { ...base, template: 'default', phases: PHASES, agentId: null, taskTitle: '', estimateMinutes: null } }).thenThrows(ConflictError, 'SESSION.EXISTS');
    });
    it('refuses to complete INTAKE without TASK.md, listing what is missing, and writes nothing', () => {
      const error = spec.given(started).when(complete({ gate: gate({ requiredFields: ['owner'] }), fields: { note: 'x' } })).thenThrows(RuleViolation, 'SESSION.PHASE_REQUIREMENTS_MISSING');
      expect(error.missing).toEqual([
        { kind: 'artifact', name: 'TASK.md', hint: 'register it: orch artifact TASK.md ./TASK.md' },
        { kind: 'field', name: 'owner', hint: 'give it: orch phase-complete --field owner="…"' },
      ]);
    });
    it('completes INTAKE once TASK.md is registered, and starts RESEARCH', () => {
      spec.given([...started, artifact('TASK.md')]).when(complete()).then(moved('INTAKE', 'RESEARCH').map((e, i) => (i === 0 ? { ...e, data: { ...e.data, durationMs: 600_000 } } : e)) as SessionEvent[]);
    });
    it('takes required fields from the command and records them', () => {
      const events = decide(complete({ gate: gate({ requiredArtifacts: [], requiredFields: ['owner'] }), fields: { owner: 'ops' } }), fold(started));
      expect(events.map((e) => e.type)).toEqual(['orchestration.session.fields_recorded', 'orchestration.phase.intake.end', 'orchestration.phase.research.start']);
    });
    it('does not check artifacts when require_artifact_validation is off', () => {
      expect(decide(complete({ gate: gate({ checkArtifacts: false }) }), fold(started)).map((e) => e.type)).toEqual(['orchestration.phase.intake.end', 'orchestration.phase.research.start']);
    });
    it('answers 409 when the caller expected another phase (someone completed it already)', () => {
      spec.given([...started, ...moved('INTAKE', 'RESEARCH')]).when(complete({ expectedPhase: 'INTAKE' })).thenThrows(ConflictError, 'SESSION.PHASE_MOVED');
    });
    it('advances strictly in order unless allow_phase_skip', () => {
      spec.given([...started, artifact('TASK.md')]).when(complete({ to: 'PLAN' })).thenThrows(RuleViolation, 'SESSION.PHASE_ORDER');
      const events = decide(complete({ to: 'PLAN', policy: { ...policy, allowPhaseSkip: true } }), fold([...started, artifact('TASK.md')]));
      expect(events.map((e) => e.type)).toEqual(['orchestration.phase.intake.end', 'orchestration.phase.plan.start']);
    });
    it('never goes back to an earlier phase', () => {
      spec.given([...started, ...moved('INTAKE', 'RESEARCH')]).when(complete({ to: 'INTAKE', policy: { ...policy, allowPhaseSkip: true } })).thenThrows(RuleViolation, 'SESSION.PHASE_ORDER');
    });
    it('overrides a failed gate for an allowed caller, recording actor, reason and what was missing', () => {
      const events = decide(complete({ override: { reason: 'TASK.md lives in the issue', actor: admin, allowed: true } }), fold(started));
      expect(events[0]).toEqual({
        type: 'orchestration.phase.override',
        data: { ...base, phase: 'INTAKE', to: 'RESEARCH', reason: 'TASK.md lives in the issue', actor: admin, missing: [expect.objectContaining({ kind: 'artifact', name: 'TASK.md' })], skipped: [] },
      });
      expect(events[1]).toMatchObject({ type: 'orchestration.phase.intake.end', data: { overridden: true } });
    });
    it('refuses an override to a caller without the right', () => {
      spec.given(started).when(complete({ override: { reason: 'r', actor: { kind: 'agent', id: 'a' }, allowed: false } })).thenThrows(ForbiddenError, 'SESSION.OVERRIDE_FORBIDDEN');
    });
    it('refuses every override when allow_user_override is off', () => {
      spec.given(started).when(complete({ policy: { ...policy, allowOverride: false }, override: { reason: 'r', actor: admin, allowed: true } })).thenThrows(ForbiddenError, 'SESSION.OVERRIDE_DISABLED');
    });
    it('records no override when the gate is met anyway', () => {
      const events = decide(complete({ override: { reason: 'r', actor: admin, allowed: true } }), fold([...started, artifact('TASK.md')]));
      expect(events.map((e) => e.type)).not.toContain('orchestration.phase.override');
    });
    it('does not end before CLOSE unless forced, and records the force', () => {
      spec.given(started).when(end()).thenThrows(RuleViolation, 'SESSION.NOT_AT_CLOSE');
      const events = decide(end({ force: true, reason: 'abandoned' }), fold(started));
      expect(events.at(-1)).toMatchObject({ type: 'orchestration.session.end', data: { forced: true, reason: 'abandoned', status: 'COMPLETED', phase: 'INTAKE' } });
    });
  });

  describe('when in CLOSE', () => {
    it('is the last phase: phase-complete says to end the session', () => {
      spec.given(atClose).when(complete()).thenThrows(RuleViolation, 'SESSION.LAST_PHASE');
    });
    it('ends only with the summary CLOSE requires, and offers the choices', () => {
      const error = spec.given(atClose).when(end()).thenThrows(RuleViolation, 'SESSION.CLOSE_REQUIREMENTS_MISSING');
      expect(error.missing).toEqual([expect.objectContaining({ kind: 'field', name: 'summary' })]);
      const events = decide(end({ summary: 'done and dusted' }), fold(atClose));
      expect(events.map((e) => e.type)).toEqual(['orchestration.session.fields_recorded', 'orchestration.phase.close.end', 'orchestration.session.end']);
      expect(events.at(-1)).toMatchObject({ data: { forced: false, status: 'COMPLETED' } });
    });
    it('reports time per phase and the time worked when it ends', () => {
      // INTAKE 1m, RESEARCH 2m, PLAN 3m, EXECUTE 4m, REVIEW 5m; CLOSE starts at 00:11 and ends at 00:20.
      const timed = (from: string, to: string, minutes: number): SessionEvent[] => [
        { type: `orchestration.phase.${from.toLowerCase()}.end`, data: { ...base, phase: from, durationMs: minutes * 60_000, overridden: false } },
        { type: `orchestration.phase.${to.toLowerCase()}.start`, data: { ...base, phase: to, from } },
      ];
      const history = [...started, ...PHASES.slice(1).flatMap((to, i) => timed(PHASES[i]!, to, i + 1))];
      const state = fold(history, (i) => new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString());
      const [, , endEvent] = decide(end({ summary: 's', at: '2026-01-01T00:20:00.000Z' }), state);
      expect(endEvent).toEqual({
        type: 'orchestration.session.end',
        data: { ...base, status: 'COMPLETED', phase: 'CLOSE', forced: false, reason: null, activeMs: 20 * 60_000, phaseDurations: { INTAKE: 60_000, RESEARCH: 120_000, PLAN: 180_000, EXECUTE: 240_000, REVIEW: 300_000, CLOSE: 540_000 } },
      });
    });
  });

  describe('when finishing the task (done)', () => {
    it('needs a summary and a progress update, and offers the choices', () => {
      const error = spec.given(started).when(end({ requireDone: true })).thenThrows(RuleViolation, 'SESSION.CLOSE_REQUIREMENTS_MISSING');
      expect(error.missing!.map((m: any) => m.kind)).toEqual(['summary', 'progress']);
      expect((error as any).extra.choices).toHaveLength(3);
    });
    it('closes from any phase once both are there (recorded as forced when not at CLOSE)', () => {
      const progress: SessionEvent = { type: 'orchestration.session.progress_updated', data: { ...base, phase: 'INTAKE', text: 'half', percent: 50 } };
      const events = decide(end({ requireDone: true, summary: 'all done' }), fold([...started, progress]));
      expect(events.at(-1)).toMatchObject({ type: 'orchestration.session.end', data: { forced: true } });
    });
  });

  describe('when suspended', () => {
    it('refuses phase changes until resumed', () => {
      spec.given([...started, suspended]).when(complete()).thenThrows(ConflictError, 'SESSION.SUSPENDED');
    });
    it('takes a second suspend as a retry', () => spec.given([...started, suspended]).when({ type: 'SuspendSession', reason: 'x', agentId: null }).then([]));
    it('is resumed by its own agent', () => {
      spec.given([...started, suspended]).when({ type: 'ResumeSession', agentId: 'agent-1', reason: null }).then([{ type: 'orchestration.session.resumed', data: { ...base, phase: 'INTAKE', agentId: 'agent-1' } }]);
    });
    it('is taken over by another agent, as an event', () => {
      spec.given([...started, suspended]).when({ type: 'ResumeSession', agentId: 'agent-2', reason: 'agent-1 lost' }).then([
        { type: 'orchestration.session.taken_over', data: { ...base, phase: 'INTAKE', fromAgentId: 'agent-1', toAgentId: 'agent-2', reason: 'agent-1 lost' } },
        { type: 'orchestration.session.resumed', data: { ...base, phase: 'INTAKE', agentId: 'agent-2' } },
      ]);
    });
    it('still takes notes', () => spec.given([...started, suspended]).when({ type: 'AddNote', text: 'context' }).then([{ type: 'orchestration.session.note_added', data: { ...base, phase: 'INTAKE', text: 'context' } }]));
  });

  describe('when active', () => {
    it('is suspended', () => spec.given(started).when({ type: 'SuspendSession', reason: 'agent lost', agentId: null }).then([suspended]));
    it('cannot be taken over by another agent', () => {
      spec.given(started).when({ type: 'ResumeSession', agentId: 'agent-2', reason: null }).thenThrows(ConflictError, 'SESSION.HELD');
    });
    it('takes a resume by its own agent as a no-op', () => spec.given(started).when({ type: 'ResumeSession', agentId: 'agent-1', reason: null }).then([]));
    it('records progress', () => {
      spec.given(started).when({ type: 'UpdateProgress', text: 'half way', percent: 50 }).then([{ type: 'orchestration.session.progress_updated', data: { ...base, phase: 'INTAKE', text: 'half way', percent: 50 } }]);
    });
    it('registers an artifact once; the same content again is a retry', () => {
      const cmd: SessionCommand = { type: 'RegisterArtifact', name: 'TASK.md', sha256: 'a'.repeat(64), size: 3, content: 'abc', uri: null };
      spec.given(started).when(cmd).then([artifact('TASK.md')]);
      spec.given([...started, artifact('TASK.md')]).when(cmd).then([]);
    });
    it('updates shared state with If-Match, and 412s a stale version', () => {
      spec.given(started).when({ type: 'UpdateState', set: { a: 1 }, remove: [], expectedStateVersion: 0 }).then([{ type: 'orchestration.session.state_updated', data: { ...base, set: { a: 1 }, removed: [], stateVersion: 1 } }]);
      const updated: SessionEvent = { type: 'orchestration.session.state_updated', data: { ...base, set: { a: 1 }, removed: [], stateVersion: 1 } };
      spec.given([...started, updated]).when({ type: 'UpdateState', set: { a: 2 }, remove: [], expectedStateVersion: 0 }).thenThrows(PreconditionFailedError, 'SESSION.STATE_VERSION_MISMATCH');
    });
    it('records a commit once, with its short hash and phase', () => {
      const hash = '16124713051261b28ee5da030c2bfc7ce228cc1d';
      const recorded: SessionEvent = { type: 'orchestration.session.commit_recorded', data: { ...base, phase: 'INTAKE', hash, shortHash: '1612471', message: 'feat: x', author: 'A <a@b>' } };
      spec.given(started).when({ type: 'RecordCommit', hash, message: 'feat: x', author: 'A <a@b>' }).then([recorded]);
      spec.given([...started, recorded]).when({ type: 'RecordCommit', hash, message: 'feat: x', author: 'A <a@b>' }).then([]);
    });
    it('links a pull request once', () => {
      const linked: SessionEvent = { type: 'orchestration.session.pull_request_linked', data: { ...base, url: 'https://github.com/o/r/pull/1', provider: 'github', number: 1 } };
      spec.given(started).when({ type: 'LinkPullRequest', url: 'https://github.com/o/r/pull/1', provider: 'github', number: 1 }).then([linked]);
      spec.given([...started, linked]).when({ type: 'LinkPullRequest', url: 'https://github.com/o/r/pull/1', provider: 'github', number: 1 }).then([]);
    });
  });

  describe('when ended', () => {
    it('refuses every change of its work', () => {
      spec.given([...atClose, ended]).when(complete()).thenThrows(ConflictError, 'SESSION.ENDED');
      spec.given([...atClose, ended]).when({ type: 'AddNote', text: 'x' }).thenThrows(ConflictError, 'SESSION.ENDED');
      spec.given([...atClose, ended]).when({ type: 'ResumeSession', agentId: null, reason: null }).thenThrows(ConflictError, 'SESSION.ENDED');
      spec.given([...atClose, ended]).when(end({ force: true })).thenThrows(ConflictError, 'SESSION.ENDED');
    });
    it('still records a late commit or pull request, each once', () => {
      const hash = 'abcdef1234567890abcdef1234567890abcdef12';
      const commit: SessionEvent = { type: 'orchestration.session.commit_recorded', data: { ...base, phase: 'CLOSE', hash, shortHash: 'abcdef1', message: 'fix: late', author: 'Jo' } };
      spec.given([...atClose, ended]).when({ type: 'RecordCommit', hash, message: 'fix: late', author: 'Jo' }).then([commit]);
      spec.given([...atClose, ended, commit]).when({ type: 'RecordCommit', hash, message: 'fix: late', author: 'Jo' }).then([]);
      const url = 'https://github.com/acme/app/pull/42';
      const linked: SessionEvent = { type: 'orchestration.session.pull_request_linked', data: { ...base, url, provider: 'github', number: 42 } };
      spec.given([...atClose, ended]).when({ type: 'LinkPullRequest', url, provider: 'github', number: 42 }).then([linked]);
      spec.given([...atClose, ended, linked]).when({ type: 'LinkPullRequest', url, provider: 'github', number: 42 }).then([]);
      expect(fold([...atClose, ended, commit, linked])).toMatchObject({ status: 'COMPLETED', commits: [expect.objectContaining({ hash, shortHash: 'abcdef1', phase: 'CLOSE' })], pullRequest: { url, provider: 'github', number: 42 } });
    });
  });

  describe('when an agent emits a phase event with its progress', () => {
    const declared = { INTAKE: [], EXECUTE: ['step_complete'] };
    const inExecute = [...started, ...moved('INTAKE', 'RESEARCH'), ...moved('RESEARCH', 'PLAN'), ...moved('PLAN', 'EXECUTE')];
    it('emits one the current phase declares, after the progress update', () => {
      spec.given(inExecute).when({ type: 'UpdateProgress', text: 'step 1 done', percent: 30, event: { name: 'step_complete', declared } }).then([
        { type: 'orchestration.session.progress_updated', data: { ...base, phase: 'EXECUTE', text: 'step 1 done', percent: 30 } },
        { type: 'orchestration.phase.execute.step_complete', data: { ...base, phase: 'EXECUTE', event: 'execute.step_complete', text: 'step 1 done' } },
      ]);
      expect(fold([...inExecute, { type: 'orchestration.phase.execute.step_complete', data: { ...base, phase: 'EXECUTE', event: 'execute.step_complete', text: 'step 1 done' } }])!.lastActions.at(-1)!.summary).toBe('execute.step_complete: step 1 done');
    });
    it('refuses one the current phase does not declare, naming what it declares, and writes nothing', () => {
      const error = spec.given(started).when({ type: 'UpdateProgress', text: 'x', percent: null, event: { name: 'step_complete', declared } }).thenThrows(RuleViolation, 'SESSION.EVENT_NOT_DECLARED');
      expect(error.missing).toEqual([{ kind: 'event', name: 'intake.step_complete', hint: 'INTAKE declares no events; report progress without --event' }]);
      const other = spec.given(inExecute).when({ type: 'UpdateProgress', text: 'x', percent: null, event: { name: 'deployed', declared } }).thenThrows(RuleViolation, 'SESSION.EVENT_NOT_DECLARED');
      expect(other.message).toContain('(it declares execute.step_complete)');
    });
  });

  describe('its state', () => {
    it('counts worked time without the suspended stretch, and keeps the last actions', () => {
      const resumed: SessionEvent = { type: 'orchestration.session.resumed', data: { ...base, phase: 'INTAKE', agentId: 'agent-2' } };
      // start 00:00, phase 00:01, suspended 00:02, resumed 00:05 → 2 minutes worked by 00:05
      const state = fold([...started, suspended, { type: 'orchestration.session.note_added', data: { ...base, phase: 'INTAKE', text: 'n' } }, resumed], (i) => ['00:00', '00:01', '00:02', '00:03', '00:05'].map((t) => `2026-01-01T00:${t.slice(3)}:00.000Z`.replace('00:00:', `00:${t.slice(0, 2)}:`))[i]!);
      expect(state).toMatchObject({ status: 'ACTIVE', agentId: 'agent-2', activeMs: 120_000, activeSince: '2026-01-01T00:05:00.000Z' });
      expect(state!.lastActions.slice(-3).map((a) => a.summary)).toEqual(['suspended the session: agent lost', 'note: n', 'resumed the session as agent-2']);
    });
    it('keeps the phase history with durations', () => {
      const state = fold([...started, ...moved('INTAKE', 'RESEARCH')]);
      expect(state!.phaseHistory).toEqual([
        { phase: 'INTAKE', startedAt: '2026-01-01T00:01:00.000Z', endedAt: '2026-01-01T00:02:00.000Z', durationMs: 0, overridden: false },
        { phase: 'RESEARCH', startedAt: '2026-01-01T00:03:00.000Z', endedAt: null, durationMs: null, overridden: false },
      ]);
      expect(state!.currentPhase).toBe('RESEARCH');
    });
  });
});
