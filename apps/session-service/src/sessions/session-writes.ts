import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { assertArtifactFits, type ArtifactBody, type ChangesBody, type RecordCommitBody, type ResumeSessionBody, type SessionReply, type StatePatchBody } from '@orch/contracts';
import { NotFoundError, RuleViolation, ValidationError } from '@orch/errors';
import type { CommandMeta } from '@orch/event-store';
import type { HandlerResult } from '@orch/messaging';
import { SessionReadModel } from '../read-model/session-read-model';
import { TaskFactsReader } from '../read-model/task-facts';
import { Briefings } from './briefings';
import { redact } from './redact';
import { decide, type SessionCommand } from './session.decide';
import { assertMayChange, SessionKit, withoutExpectation } from './session-kit';

/** Notes, progress and suspensions do not depend on what the caller saw: lost races are decided again, often. */
const RETRIES = 20;

type Provider = 'github' | 'gitlab';

/**
 * Parses a pull-request URL: GitHub `/<o>/<r>/pull/<n>`, GitLab `/<group…>/<r>/-/merge_requests/<n>`.
 * GitHub URLs are recognised on github.* hosts and on the hosts `git.providers` (config/orchestration.yaml)
 * names as github (GitHub Enterprise); a host named there is read only as its provider's URLs.
 */
export function parsePullRequestUrl(url: string, providers: Record<string, Provider> = {}): { provider: Provider; number: number } | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
  const configured = providers[u.host] ?? providers[u.hostname];
  const gh = /^\/[^/]+\/[^/]+\/pull\/(\d+)\/?$/.exec(u.pathname);
  if (gh && (configured ? configured === 'github' : /(^|\.)github\./.test(u.hostname))) return { provider: 'github', number: Number(gh[1]) };
  const gl = /^\/(?:[^/]+\/)+-\/merge_requests\/(\d+)\/?$/.exec(u.pathname);
  if (gl && (configured ?? 'gitlab') === 'gitlab') return { provider: 'gitlab', number: Number(gl[1]) };
  return null;
}

/** Everything else an agent records on its session. */
@Injectable()
export class SessionWrites {
  constructor(
    private readonly kit: SessionKit,
    private readonly briefings: Briefings,
    private readonly readModel: SessionReadModel,
    private readonly facts: TaskFactsReader,
  ) {}

  private async run(sessionKey: string | undefined, rawMeta: CommandMeta, command: SessionCommand, extra: { retries?: number; warnings?: string[] } = {}): Promise<HandlerResult<SessionReply>> {
    const meta = withoutExpectation(rawMeta);
    const key = await this.kit.resolve(sessionKey, meta);
    const result = await this.kit.sessions.execute(
      key,
      meta,
      (s) => {
        // Suspending is how the system reacts to a lost agent; everything else is the holder's.
        if (command.type !== 'SuspendSession' || meta.actor.kind !== 'system') assertMayChange(s, meta.actor);
        return decide(command, s);
      },
      { maxAttempts: extra.retries ?? 5 },
    );
    return { value: await this.kit.reply(result.state, meta, { outcome: 'updated', warnings: extra.warnings ?? [] }), seq: result.seq };
  }

  note(key: string | undefined, text: string, meta: CommandMeta) {
    const r = redact(text);
    return this.run(key, meta, { type: 'AddNote', text: r.text }, { retries: RETRIES, warnings: redactionWarning(r.redactions) });
  }

  /** `event`: a custom event of the current phase (e.g. step_complete), checked against its template. */
  async progress(key: string | undefined, text: string, percent: number | undefined, meta: CommandMeta, event?: string) {
    const r = redact(text);
    let declared: { name: string; declared: Record<string, string[]> } | undefined;
    if (event) {
      const s = await this.kit.load(await this.kit.resolve(key, meta));
      const template = this.kit.workflows.byName(s.template);
      declared = { name: event, declared: Object.fromEntries(template.phases.map((p) => [p.name, p.customEvents])) };
    }
    return this.run(key, meta, { type: 'UpdateProgress', text: r.text, percent: percent ?? null, event: declared }, { retries: RETRIES, warnings: redactionWarning(r.redactions) });
  }

  suspend(key: string | undefined, reason: string | undefined, meta: CommandMeta) {
    return this.run(key, meta, { type: 'SuspendSession', reason: reason ?? 'paused by its actor', agentId: null }, { retries: RETRIES });
  }

  async resume(sessionKey: string | undefined, body: ResumeSessionBody, rawMeta: CommandMeta): Promise<HandlerResult<SessionReply>> {
    const meta = withoutExpectation(rawMeta);
    const key = await this.kit.resolve(sessionKey, meta);
    const agentId = body.agentId ?? (meta.actor.kind === 'agent' ? meta.actor.id : null);
    const result = await this.kit.sessions.execute(key, meta, (s) => decide({ type: 'ResumeSession', agentId, reason: body.reason ?? null }, s));
    const s = result.state!;
    await this.kit.context.update(meta, { sprintCode: s.sprintCode, taskCode: s.taskCode, sessionKey: s.key });
    const briefing = await this.briefings.build(s, 3, meta, result.version - result.events.length);
    return { value: await this.kit.reply(s, meta, { outcome: 'resumed', briefing }), seq: result.seq };
  }

  artifact(key: string | undefined, body: ArtifactBody, meta: CommandMeta) {
    let content: string | null = null;
    let redactions = 0;
    if (body.content !== undefined) {
      assertArtifactFits(body.content);
      const r = redact(body.content);
      content = r.text;
      redactions = r.redactions;
      const digest = createHash('sha256').update(body.content, 'utf8').digest('hex');
      if (body.sha256 && body.sha256 !== digest) throw new ValidationError('REQUEST.INVALID', 'sha256 does not match the content', [{ path: 'sha256', message: `is not the sha256 of content (${digest})` }]);
    }
    const sha256 = body.sha256 ?? createHash('sha256').update(body.content ?? '', 'utf8').digest('hex');
    const size = body.content !== undefined ? Buffer.byteLength(body.content, 'utf8') : 0;
    return this.run(key, meta, { type: 'RegisterArtifact', name: body.name, sha256, size, content, uri: body.uri ?? null }, { retries: RETRIES, warnings: redactionWarning(redactions) });
  }

  commit(key: string | undefined, body: RecordCommitBody, meta: CommandMeta) {
    return this.run(key, meta, { type: 'RecordCommit', hash: body.hash, message: redact(body.message).text, author: body.author, phase: body.phase }, { retries: RETRIES });
  }

  changes(key: string | undefined, body: ChangesBody, meta: CommandMeta) {
    return this.run(key, meta, { type: 'RecordChanges', files: body.files, diffSummary: body.diffSummary ?? null }, { retries: RETRIES });
  }

  /** Shared key/value state: `If-Match` (meta.expectedVersion) is the state's version, not the session's. */
  async state(sessionKey: string | undefined, body: StatePatchBody, meta: CommandMeta) {
    const expectedStateVersion = meta.expectedVersion;
    const result = await this.run(sessionKey, meta, { type: 'UpdateState', set: body.set ?? {}, remove: body.remove ?? [], expectedStateVersion });
    const s = result.value.session;
    return { value: { sessionKey: s.sessionKey, state: s.state, version: s.stateVersion, instructions: result.value.instructions }, seq: result.seq };
  }

  /**
   * `POST /tasks/:code/pull-request`: recorded on the task's newest session. A task without a
   * session has nowhere to record it (the link is a session event): 422 saying to start one;
   * an unknown task is 404.
   */
  async linkPullRequest(taskCode: string, url: string, meta: CommandMeta) {
    const parsed = parsePullRequestUrl(url, this.kit.workflows.config.git.providers);
    if (!parsed) throw new ValidationError('REQUEST.INVALID', 'Not a pull-request URL', [{ path: 'url', message: 'must be a GitHub pull request (…/pull/N) or a GitLab merge request (…/-/merge_requests/N) URL on a github.* host, a GitLab, or a host listed in git.providers' }]);
    await this.kit.readModelCaughtUp();
    const latest = await this.readModel.latestOfTask(taskCode);
    if (!latest) {
      if (!(await this.facts.task(taskCode))) throw new NotFoundError('TASK.NOT_FOUND', `Task ${taskCode} does not exist`);
      throw new RuleViolation('SESSION.NO_SESSION_FOR_TASK', `Task ${taskCode} has no session to link a pull request to; start one first: orch session-start ${taskCode}`, [
        { kind: 'session', name: 'session', hint: `start a session on the task first: orch session-start ${taskCode}` },
      ]);
    }
    return this.run(latest.sessionKey, meta, { type: 'LinkPullRequest', url, ...parsed }, { retries: RETRIES });
  }
}

const redactionWarning = (n: number): string[] => (n ? [`${n} secret${n > 1 ? 's were' : ' was'} redacted before it was recorded`] : []);
