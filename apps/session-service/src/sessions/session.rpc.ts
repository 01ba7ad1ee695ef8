import { Injectable } from '@nestjs/common';
import { SessionRoutes as R } from '@orch/contracts';
import type { RpcContext } from '@orch/messaging';
import { commandMetaOf, RpcHandler } from '@orch/service-kit';
import { PhaseCommands } from './phase-commands';
import { SessionQueries } from './session-queries';
import { SessionWrites } from './session-writes';
import { StartSession } from './start-session';

type In<K extends keyof typeof R> = (typeof R)[K]['request']['_output'];

/** NATS → the session's commands and queries. Payloads arrive validated against the route's schema. */
@Injectable()
export class SessionRpc {
  constructor(
    private readonly starter: StartSession,
    private readonly phases: PhaseCommands,
    private readonly writes: SessionWrites,
    private readonly queries: SessionQueries,
  ) {}

  @RpcHandler(R.start)
  start(body: In<'start'>, ctx: RpcContext) {
    return this.starter.execute(body, commandMetaOf(ctx));
  }

  @RpcHandler(R.phaseComplete)
  phaseComplete({ sessionKey, body }: In<'phaseComplete'>, ctx: RpcContext) {
    return this.phases.complete(sessionKey, body, commandMetaOf(ctx));
  }

  @RpcHandler(R.end)
  end({ sessionKey, body }: In<'end'>, ctx: RpcContext) {
    return this.phases.end(sessionKey, body, commandMetaOf(ctx));
  }

  @RpcHandler(R.done)
  done({ sessionKey, taskCode, body }: In<'done'>, ctx: RpcContext) {
    return this.phases.done(sessionKey, taskCode, body, commandMetaOf(ctx));
  }

  @RpcHandler(R.resume)
  resume({ sessionKey, body }: In<'resume'>, ctx: RpcContext) {
    return this.writes.resume(sessionKey, body, commandMetaOf(ctx));
  }

  @RpcHandler(R.suspend)
  suspend({ sessionKey, body }: In<'suspend'>, ctx: RpcContext) {
    return this.writes.suspend(sessionKey, body.reason, commandMetaOf(ctx));
  }

  @RpcHandler(R.note)
  note({ sessionKey, body }: In<'note'>, ctx: RpcContext) {
    return this.writes.note(sessionKey, body.text, commandMetaOf(ctx));
  }

  @RpcHandler(R.progress)
  progress({ sessionKey, body }: In<'progress'>, ctx: RpcContext) {
    return this.writes.progress(sessionKey, body.text, body.percent, commandMetaOf(ctx), body.event);
  }

  @RpcHandler(R.artifact)
  artifact({ sessionKey, body }: In<'artifact'>, ctx: RpcContext) {
    return this.writes.artifact(sessionKey, body, commandMetaOf(ctx));
  }

  @RpcHandler(R.commit)
  commit({ sessionKey, body }: In<'commit'>, ctx: RpcContext) {
    return this.writes.commit(sessionKey, body, commandMetaOf(ctx));
  }

  @RpcHandler(R.changes)
  changes({ sessionKey, body }: In<'changes'>, ctx: RpcContext) {
    return this.writes.changes(sessionKey, body, commandMetaOf(ctx));
  }

  @RpcHandler(R.state)
  state({ sessionKey, body }: In<'state'>, ctx: RpcContext) {
    return this.writes.state(sessionKey, body, commandMetaOf(ctx));
  }

  @RpcHandler(R.linkPullRequest)
  linkPullRequest({ taskCode, url }: In<'linkPullRequest'>, ctx: RpcContext) {
    return this.writes.linkPullRequest(taskCode, url, commandMetaOf(ctx));
  }

  @RpcHandler(R.get)
  async get({ sessionKey }: In<'get'>, ctx: RpcContext) {
    return { value: await this.queries.get(sessionKey, commandMetaOf(ctx)) };
  }

  @RpcHandler(R.list)
  async list(q: In<'list'>) {
    return { value: await this.queries.list(q) };
  }

  @RpcHandler(R.briefing)
  async briefing({ sessionKey, actions, turns }: In<'briefing'>, ctx: RpcContext) {
    return { value: await this.queries.briefing(sessionKey, actions, commandMetaOf(ctx), turns) };
  }

  @RpcHandler(R.artifactContent)
  async artifactContent({ sessionKey, name }: In<'artifactContent'>) {
    return { value: await this.queries.artifact(sessionKey, name) };
  }

  @RpcHandler(R.changesMarkdown)
  async changesMarkdown({ taskCode }: In<'changesMarkdown'>, ctx: RpcContext) {
    return { value: await this.queries.changes(taskCode, commandMetaOf(ctx)) };
  }

  @RpcHandler(R.getContext)
  async getContext(_: In<'getContext'>, ctx: RpcContext) {
    return { value: await this.queries.getContext(commandMetaOf(ctx)) };
  }

  @RpcHandler(R.putContext)
  async putContext(body: In<'putContext'>, ctx: RpcContext) {
    return { value: await this.queries.putContext(body, commandMetaOf(ctx)) };
  }
}
