import { Inject, Injectable } from '@nestjs/common';
import type { SessionReply } from '@orch/contracts';
import { ForbiddenError, NotFoundError } from '@orch/errors';
import type { CommandMeta, EventStore } from '@orch/event-store';
import { EVENT_STORE, ProjectionHost } from '@orch/service-kit';
import { ContextStore } from '../context/context-store';
import { TaskFactsReader } from '../read-model/task-facts';
import { WORKFLOWS } from '../tokens';
import type { Workflows } from '../workflow/workflows';
import { Collaborators } from './collaborators';
import { instructionsFor } from './instructions';
import type { Session, SessionState } from './session';
import { SessionRepository } from './session.repository';
import { sessionView } from './views';

/** How long a lookup by task waits for the read model to include the newest commits. */
const LOOKUP_WAIT_MS = 2_000;

/**
 * What every session command shares: finding the session a caller means (its key, or its
 * context), loading it, and answering with the session and its instructions.
 */
@Injectable()
export class SessionKit {
  constructor(
    readonly sessions: SessionRepository,
    readonly context: ContextStore,
    readonly projections: ProjectionHost,
    @Inject(WORKFLOWS) readonly workflows: Workflows,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly facts: TaskFactsReader,
    private readonly others: Collaborators,
  ) {}

  /** The key the caller named, else the session of its current context. */
  async resolve(sessionKey: string | undefined, meta: CommandMeta): Promise<string> {
    if (sessionKey) return sessionKey;
    const ctx = await this.context.get(meta.actor.id);
    if (ctx.sessionKey) return ctx.sessionKey;
    throw new NotFoundError('SESSION.NO_CONTEXT', `No current session for ${meta.actor.id}: start one (orch session-start TSK-…) or name it (X-Orch-Session header)`);
  }

  async load(key: string): Promise<Session> {
    const { state } = await this.sessions.load(key);
    if (!state) throw new NotFoundError('SESSION.NOT_FOUND', `Session ${key} does not exist`);
    return state;
  }

  /** Waits (bounded) until the read model holds every commit appended so far, for lookups by task or agent. */
  async readModelCaughtUp(): Promise<void> {
    await this.projections.waitFor(await this.store.lastSeq(), LOOKUP_WAIT_MS);
  }

  /** `git.*` of config/orchestration.yaml, with `{sprint_code}`, `{task_title}`, `{task_code}` filled in. */
  gitSettings(s: Session) {
    const g = this.workflows.config.git;
    const values: Record<string, string> = { sprint_code: s.sprintCode ?? 'no-sprint', task_title: s.taskTitle, task_code: s.taskCode };
    const commitMessage = g.commit_message_template.replace(/\{(sprint_code|task_title|task_code)\}/g, (_m, k: string) => values[k]!);
    return { enabled: g.enabled, trackCommits: g.track_commits, autoCommit: g.auto_commit, commitMessage };
  }

  /** The answer of a session command; the instructions weigh the task's current estimate (task facts). */
  async reply(state: SessionState, meta: CommandMeta, extra: Partial<Pick<SessionReply, 'outcome' | 'briefing' | 'warnings'>> = {}): Promise<SessionReply> {
    const s = state!;
    const now = meta.issuedAt;
    const template = this.workflows.byName(s.template);
    const task = await this.facts.taskTime(s.taskCode, s.key);
    const w = this.workflows.config.workflow;
    const opts = { checkArtifacts: w.require_artifact_validation, syncFiles: w.sync_files_on_close, task };
    let instructions = instructionsFor(s, template, now, opts);
    // The override is offered only to a caller who may use it; asking the agent manager costs a
    // request, so only when the gate is not met and overrides are on at all.
    if (instructions.missing.length && s.status === 'ACTIVE' && w.allow_user_override && meta.actor.role !== 'viewer') {
      const may = await this.others.mayOverride(meta.actor, s.agentId, meta);
      if (may.allowed) instructions = instructionsFor(s, template, now, { ...opts, mayOverride: true });
    }
    return {
      session: sessionView(s, now),
      instructions: { ...instructions, git: this.gitSettings(s) },
      warnings: [],
      ...extra,
      version: s.version,
    };
  }
}

/**
 * Agent keys are limited to their own sessions (SPEC §6): an agent may change a session it holds
 * (or one nobody holds); taking over a SUSPENDED one goes through resume. Admins and humans may act on any.
 */
export function assertMayChange(state: SessionState, actor: CommandMeta['actor']): void {
  if (actor.role !== 'agent' || !state?.agentId || state.agentId === actor.id) return;
  throw new ForbiddenError('SESSION.NOT_YOURS', `Session ${state.key} is held by agent ${state.agentId}; an agent key may change only its own sessions`);
}

/** Session commands never carry the aggregate's If-Match: only the shared state has one, passed on its own. */
export function withoutExpectation(meta: CommandMeta): CommandMeta {
  const { expectedVersion: _ignored, ...rest } = meta;
  return rest;
}
