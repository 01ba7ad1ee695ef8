import { CommandHandler, Command, type ICommandHandler } from '@nestjs/cqrs';
import type { BugEvent, BugLogReply, LogBugBody } from '@orch/contracts';
import type { CommandMeta } from '@orch/event-store';
import type { HandlerResult } from '@orch/messaging';
import { redactSecrets } from '@orch/redaction';
import { fingerprint } from '../fingerprint';
import { decide, outcomeOf } from './bug';
import { BugRepository } from './bug.repository';
import { TaskCheck } from './task-check';
import { bugViewFromState } from './views';

export class LogBug extends Command<HandlerResult<BugLogReply>> {
  constructor(
    readonly body: LogBugBody,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}

/** A report never depends on the state its caller saw, so lost races are decided again, many times. */
export const LOG_MAX_ATTEMPTS = 50;

@CommandHandler(LogBug)
export class LogBugHandler implements ICommandHandler<LogBug> {
  constructor(
    private readonly bugs: BugRepository,
    private readonly taskCheck: TaskCheck,
  ) {}

  async execute({ body, meta }: LogBug): Promise<HandlerResult<BugLogReply>> {
    // Secrets are cut before anything else sees the text: the fingerprint, the event, the log.
    const message = redactSecrets(body.message);
    const stackText = body.stack === undefined ? undefined : redactSecrets(body.stack);
    const redactions = message.count + (stackText?.count ?? 0);
    const f = fingerprint({ ...body, message: message.text, stack: stackText?.text });
    const report = {
      hash: f.hash,
      fingerprintVersion: f.version,
      errorClass: f.errorClass,
      template: f.template,
      category: f.category,
      frame: f.frame && { fn: f.frame.fn, path: f.frame.path },
      stack: f.stack,
      notes: f.notes,
      message: f.message,
      file: f.frame?.path ?? null,
      line: body.line ?? f.frame?.line ?? null,
      taskCode: body.taskCode ?? null,
      sessionId: body.sessionKey ?? null,
      agentId: body.agentId ?? (meta.actor.kind === 'agent' ? meta.actor.id : null),
      redactions,
    };
    const [result, taskWarning] = await Promise.all([
      this.bugs.execute(f.hash, meta, (state) => decide({ type: 'LogBug', report }, state), { maxAttempts: LOG_MAX_ATTEMPTS }),
      this.taskCheck.warningFor(body.taskCode, meta),
    ]);
    const events = result.events.map((e) => ({ type: e.type, data: e.data }) as BugEvent);
    return {
      value: { bug: bugViewFromState(result.state!), outcome: outcomeOf(events), warnings: [...f.notes, ...(redactions ? [`${redactions} secret(s) redacted from the message and stack before storing`] : []), ...(taskWarning ? [taskWarning] : [])], suggestedActions: ['fix', 'continue', 'context'] },
      seq: result.seq,
    };
  }
}
