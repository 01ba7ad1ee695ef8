import { Injectable } from '@nestjs/common';
import type { DoneBody, EndSessionBody, PhaseCompleteBody, SessionReply } from '@orch/contracts';
import { PreconditionFailedError } from '@orch/errors';
import type { CommandMeta } from '@orch/event-store';
import type { HandlerResult } from '@orch/messaging';
import { SessionReadModel } from '../read-model/session-read-model';
import { Collaborators } from './collaborators';
import { redact } from './redact';
import { decide } from './session.decide';
import { assertMayChange, SessionKit, withoutExpectation } from './session-kit';

/** Ownership first (SESSION.NOT_YOURS), then the rules. */
function assertAnd<T>(s: Parameters<typeof assertMayChange>[0], meta: CommandMeta, then: () => T): T {
  assertMayChange(s, meta.actor);
  return then();
}

/**
 * Phase changes and ends. Each carries the phase its caller saw, so of twenty concurrent
 * completes one advances and the others reload, see the phase moved on, and answer 409.
 */
@Injectable()
export class PhaseCommands {
  constructor(
    private readonly kit: SessionKit,
    private readonly others: Collaborators,
    private readonly readModel: SessionReadModel,
  ) {}

  /**
   * `If-Match` (meta.expectedVersion) is the session's version: a caller that names neither the
   * phase nor the version it saw would complete whatever phase is current when it is handled, so
   * of concurrent callers a late one could complete the NEXT phase. With either, it gets 409/412.
   */
  async complete(sessionKey: string | undefined, body: PhaseCompleteBody, rawMeta: CommandMeta): Promise<HandlerResult<SessionReply>> {
    const expectedVersion = rawMeta.expectedVersion;
    const meta = withoutExpectation(rawMeta);
    const key = await this.kit.resolve(sessionKey, meta);
    const warnings: string[] = [];
    let override: { reason: string; actor: CommandMeta['actor']; allowed: boolean } | undefined;
    if (body.override) {
      const may = await this.others.mayOverride(meta.actor, (await this.kit.load(key)).agentId, meta);
      if (may.warning) warnings.push(may.warning);
      override = { reason: redact(body.reason!).text, actor: meta.actor, allowed: may.allowed };
    }
    const fields = Object.fromEntries(Object.entries(body.fields ?? {}).map(([k, v]) => [k, redact(v).text]));
    // The phase this call completes is fixed by the first state it sees (or named by the caller):
    // a retry after a lost race then finds the session moved on and answers 409, never advances twice.
    let phase = body.phase;
    const result = await this.kit.sessions.execute(key, meta, (s, version) => {
      assertMayChange(s, meta.actor);
      if (s && expectedVersion !== undefined && expectedVersion !== version) {
        throw new PreconditionFailedError('SESSION.VERSION_MISMATCH', `Session ${key} is at version ${version}, not ${expectedVersion} (If-Match): it changed since you read it; it is in ${s.currentPhase}`, { currentVersion: version, currentPhase: s.currentPhase });
      }
      phase ??= s?.currentPhase;
      const gate = this.kit.workflows.gate(s?.template ?? '', phase ?? '');
      return decide({ type: 'CompletePhase', at: meta.issuedAt, expectedPhase: phase, to: body.to, fields, gate, policy: this.kit.workflows.policy, override }, s);
    });
    const overridden = result.events.some((e) => e.type === 'orchestration.phase.override');
    return { value: await this.kit.reply(result.state, meta, { outcome: overridden ? 'overridden' : 'advanced', warnings }), seq: result.seq };
  }

  async end(sessionKey: string | undefined, body: EndSessionBody, rawMeta: CommandMeta): Promise<HandlerResult<SessionReply>> {
    const meta = withoutExpectation(rawMeta);
    const key = await this.kit.resolve(sessionKey, meta);
    const seen = await this.kit.load(key);
    const closeGate = this.kit.workflows.gate(seen.template, seen.phases.at(-1)!);
    const result = await this.kit.sessions.execute(key, meta, (s) =>
      assertAnd(s, meta, () => decide({ type: 'EndSession', at: meta.issuedAt, force: !!body.force, reason: body.reason ?? null, status: body.status ?? 'COMPLETED', closeGate, summary: body.summary ? redact(body.summary).text : undefined }, s)),
    );
    await this.leaveContext(meta, key);
    return { value: await this.kit.reply(result.state, meta, { outcome: 'ended' }), seq: result.seq };
  }

  /** `done`: a summary and a progress update, then the session ends and the task is DONE. */
  async done(sessionKey: string | undefined, taskCode: string | undefined, body: DoneBody, rawMeta: CommandMeta): Promise<HandlerResult<SessionReply>> {
    const meta = withoutExpectation(rawMeta);
    const key = sessionKey ?? (taskCode ? await this.openSessionOf(taskCode) : undefined) ?? (await this.kit.resolve(undefined, meta));
    const seen = await this.kit.load(key);
    const closeGate = this.kit.workflows.gate(seen.template, seen.phases.at(-1)!);
    const summary = body.summary ? redact(body.summary).text : undefined;
    const result = await this.kit.sessions.execute(key, meta, (s) =>
      assertAnd(s, meta, () => decide({ type: 'EndSession', at: meta.issuedAt, force: !!body.force, reason: body.reason ?? null, status: 'COMPLETED', closeGate, summary, requireDone: true }, s)),
    );
    const task = await this.others.taskOrNull(seen.taskCode, meta);
    const seqs = [result.seq];
    const warning = task ? await this.others.moveTask(task, 'DONE', meta, undefined, seqs) : `could not read task ${seen.taskCode} to mark it DONE`;
    await this.leaveContext(meta, key);
    // The answer's sequence covers the task's move to DONE: a read with X-Orch-Min-Seq sees it.
    return { value: await this.kit.reply(result.state, meta, { outcome: 'ended', warnings: warning ? [warning] : [] }), seq: Math.max(...seqs) };
  }

  private async openSessionOf(taskCode: string): Promise<string | undefined> {
    await this.kit.readModelCaughtUp();
    return (await this.readModel.openOfTask(taskCode))?.sessionKey;
  }

  private async leaveContext(meta: CommandMeta, key: string): Promise<void> {
    const ctx = await this.kit.context.get(meta.actor.id);
    if (ctx.sessionKey === key) await this.kit.context.update(meta, { sessionKey: null });
  }
}
