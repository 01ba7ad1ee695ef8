import { Injectable } from '@nestjs/common';
import type { Actor } from '@orch/contracts';
import { ForbiddenError, NotFoundError } from '@orch/errors';
import { SessionRepository } from '../sessions/session.repository';

/** The part of a session that decides who may touch its logs. */
export interface LogOwner {
  key: string;
  agentId: string | null;
}

/**
 * Agent keys are limited to their own sessions (SPEC §6), as for notes: an agent may write and
 * read the logs of a session it holds, or of one nobody holds. Admins, humans and viewers (who
 * only reach the read routes) may read any.
 */
export function assertMayUseLogs(session: LogOwner, actor: Actor, use: 'write' | 'read'): void {
  if (actor.role !== 'agent' || !session.agentId || session.agentId === actor.id) return;
  throw new ForbiddenError('SESSION_LOGS.NOT_YOURS', `Session ${session.key} is held by agent ${session.agentId}; an agent key may ${use} the logs of its own sessions only`);
}

/** Loads the session from the event log (the source of truth: a session started a moment ago exists). */
@Injectable()
export class LogAccess {
  constructor(private readonly sessions: SessionRepository) {}

  async check(sessionKey: string, actor: Actor, use: 'write' | 'read'): Promise<LogOwner> {
    const { state } = await this.sessions.load(sessionKey);
    if (!state) throw new NotFoundError('SESSION.NOT_FOUND', `Session ${sessionKey} does not exist`);
    const owner = { key: state.key, agentId: state.agentId };
    assertMayUseLogs(owner, actor, use);
    return owner;
  }
}
