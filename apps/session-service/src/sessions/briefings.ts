import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Briefing } from '@orch/contracts';
import type { SessionServiceConfig } from '@orch/config';
import type { CommandMeta } from '@orch/event-store';
import { WORKFLOWS } from '../tokens';
import { SESSION_CONFIG } from './session-config';
import type { WorkflowTemplate } from '../workflow/templates';
import type { Workflows } from '../workflow/workflows';
import { TaskFactsReader, type OpenBug, type TaskFacts, type TaskTime } from '../read-model/task-facts';
import { gateOf, missingFor } from './gate';
import { humanDuration, instructionsFor } from './instructions';
import { activeMsAt, type Session } from './session';
import { sessionView } from './views';

/** Turns in a briefing when neither the caller nor SESSION_BRIEFING_TURNS says. */
const DEFAULT_BRIEFING_TURNS = 10;

/** The resume briefing from the session, its task and its open bugs (pure: the caller fetched them). */
export function buildBriefing(s: Session, template: WorkflowTemplate, opts: { now: string; actions: number; turns?: number; task: TaskFacts | null; time?: TaskTime | null; bugs: OpenBug[] | null; checkArtifacts: boolean; upToVersion?: number }): Briefing {
  const view = sessionView(s, opts.now);
  const phase = template.phases.find((p) => p.name === s.currentPhase);
  const openGate = phase && (s.status === 'ACTIVE' || s.status === 'SUSPENDED') ? missingFor(s, gateOf(phase, opts.checkArtifacts)) : [];
  const activeMs = s.endedAt ? s.activeMs : activeMsAt(s, opts.now);
  const perPhaseMs: Record<string, number> = {};
  for (const p of s.phaseHistory) {
    const ms = p.durationMs ?? Math.max(0, Date.parse(opts.now) - Date.parse(p.startedAt));
    perPhaseMs[p.phase] = (perPhaseMs[p.phase] ?? 0) + ms;
  }
  const estimate = opts.task ? opts.task.estimateMinutes : s.estimateMinutes;
  const taskActiveMs = activeMs + (opts.time?.otherSessionsMs ?? 0);
  return {
    session: { sessionKey: s.key, status: s.status, template: s.template, agentId: s.agentId, startedAt: s.startedAt, version: s.version },
    task: { code: s.taskCode, sprintCode: s.sprintCode, title: opts.task?.title ?? s.taskTitle, status: opts.task?.status ?? null, estimateMinutes: estimate },
    currentPhase: s.currentPhase,
    phaseGoal: phase?.goal ?? '',
    phases: s.phases,
    phaseHistory: s.phaseHistory,
    artifacts: view.artifacts,
    openGate,
    lastActions: s.lastActions
      .filter((a) => a.version <= (opts.upToVersion ?? Infinity))
      .slice(-opts.actions)
      .reverse()
      .map((a) => ({ seq: a.version, at: a.at, type: a.type, by: a.by, summary: a.summary })),
    notes: s.notes.slice(-20),
    recentTurns: opts.turns ? s.turns.slice(-opts.turns) : [],
    conversation: s.conversation,
    openBugs: opts.bugs ?? [],
    bugsUnavailable: opts.bugs === null,
    commits: s.commits,
    pullRequest: s.pullRequest,
    time: { activeMs, timeSpent: humanDuration(activeMs), perPhaseMs, estimateMinutes: estimate, taskActiveMs, taskTimeSpent: humanDuration(taskActiveMs), overEstimate: estimate !== null && taskActiveMs > estimate * 60_000 },
    instructions: instructionsFor(s, template, opts.now, { checkArtifacts: opts.checkArtifacts, missing: openGate, task: { estimateMinutes: estimate, otherSessionsMs: opts.time?.otherSessionsMs ?? 0 } }),
  };
}

@Injectable()
export class Briefings {
  constructor(
    private readonly facts: TaskFactsReader,
    @Inject(WORKFLOWS) private readonly workflows: Workflows,
    @Optional() @Inject(SESSION_CONFIG) private readonly config?: Pick<SessionServiceConfig, 'SESSION_BRIEFING_TURNS'>,
  ) {}

  /**
   * `upToVersion`: the briefing of a resume names what happened before it, not the resume itself.
   * `turns`: how many of the last turns to include (SESSION_BRIEFING_TURNS when absent).
   */
  async build(s: Session, actions: number, meta: CommandMeta, upToVersion?: number, turns?: number): Promise<Briefing> {
    // Task facts and open bugs come from this service's own read model of their events: a
    // briefing asks no other service, so it is fast and works while they are down.
    const [task, time, bugs] = await Promise.all([this.facts.task(s.taskCode), this.facts.taskTime(s.taskCode, s.key), this.facts.openBugs(s.taskCode).catch(() => null)]);
    return buildBriefing(s, this.workflows.byName(s.template), { now: meta.issuedAt, actions, turns: turns ?? this.config?.SESSION_BRIEFING_TURNS ?? DEFAULT_BRIEFING_TURNS, task, time, bugs, checkArtifacts: this.workflows.config.workflow.require_artifact_validation, upToVersion });
  }
}
