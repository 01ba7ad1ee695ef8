import type { SessionView } from '@orch/contracts';
import { activeMsAt, type Session } from './session';

/** The API's view of a session; artifact contents stay in the log (the view says whether there is one). */
export function sessionView(s: Session, now: string): SessionView {
  return {
    sessionKey: s.key,
    taskCode: s.taskCode,
    sprintCode: s.sprintCode,
    template: s.template,
    phases: s.phases,
    status: s.status,
    currentPhase: s.currentPhase,
    agentId: s.agentId,
    startedBy: s.startedBy,
    startedAt: s.startedAt,
    endedAt: s.endedAt,
    phaseHistory: s.phaseHistory,
    artifacts: Object.values(s.artifacts).map((a) => ({ name: a.name, sha256: a.sha256, size: a.size, uri: a.uri, hasContent: a.content !== null, phase: a.phase, registeredAt: a.registeredAt })),
    fields: s.fields,
    notes: s.notes.slice(-50),
    commits: s.commits,
    pullRequest: s.pullRequest,
    changes: s.changes,
    state: s.state,
    stateVersion: s.stateVersion,
    conversation: s.conversation,
    activeMs: s.endedAt ? s.activeMs : activeMsAt(s, now),
    estimateMinutes: s.estimateMinutes,
    version: s.version,
  };
}
