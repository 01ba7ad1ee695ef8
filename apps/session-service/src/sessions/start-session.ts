import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { sessionKeyOf, type SessionReply, type StartSessionBody } from '@orch/contracts';
import { ConflictError, UnavailableError } from '@orch/errors';
import { CommandAppliedElsewhere, type CommandMeta } from '@orch/event-store';
import { REDIS } from '@orch/service-kit';
import { SessionReadModel } from '../read-model/session-read-model';
import { Briefings } from './briefings';
import { Collaborators } from './collaborators';
import { decide } from './session.decide';
import { SessionKit, withoutExpectation } from './session-kit';

const LOCK_MS = 10_000;
const LOCK_WAIT_MS = 5_000;

/**
 * `session-start TASK`: the task's ACTIVE session is returned, a SUSPENDED one is resumed (with
 * the briefing), otherwise a new session starts in the first phase of the task type's template.
 * Starts of one task are serialised by a short Redis lock, so two callers never open two sessions.
 */
@Injectable()
export class StartSession {
  constructor(
    private readonly kit: SessionKit,
    private readonly readModel: SessionReadModel,
    private readonly others: Collaborators,
    private readonly briefings: Briefings,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async execute(body: StartSessionBody, rawMeta: CommandMeta): Promise<{ value: SessionReply; seq?: number }> {
    const meta = withoutExpectation(rawMeta);
    const task = await this.others.task(body.taskCode, meta);
    if (task.status === 'DONE' || task.status === 'CANCELLED') throw new ConflictError('SESSION.TASK_CLOSED', `Task ${task.code} is ${task.status}; there is nothing to work on`);
    const agentId = body.agentId ?? (meta.actor.kind === 'agent' ? meta.actor.id : null);
    // The task is started first: a paused or cancelled workflow that holds it refuses the start
    // (409 WORKFLOW.PAUSED / WORKFLOW.CANCELLED), and then no session starts either.
    const warning = await this.others.moveTask(task, 'IN_PROGRESS', meta, (e) => e.code === 'WORKFLOW.PAUSED' || e.code === 'WORKFLOW.CANCELLED');
    const result = await this.locked(task.code, async () => {
      await this.kit.readModelCaughtUp();
      const open = await this.readModel.openOfTask(task.code);
      if (open) {
        const current = await this.kit.load(open.sessionKey);
        if (current.status === 'ACTIVE') {
          const held = current.agentId && agentId && current.agentId !== agentId ? [`the session is held by agent ${current.agentId}; it can be taken over only once it is suspended`] : [];
          return { value: await this.kit.reply(current, meta, { outcome: 'existing', warnings: held }) };
        }
        const resumed = await this.kit.sessions.execute(open.sessionKey, meta, (s) => decide({ type: 'ResumeSession', agentId, reason: 'session-start of its task' }, s));
        const briefing = await this.briefings.build(resumed.state!, 3, meta, resumed.version - resumed.events.length);
        return { value: await this.kit.reply(resumed.state, meta, { outcome: 'resumed', briefing }), seq: resumed.seq };
      }
      const template = this.kit.workflows.forTaskType(task.type);
      const at = new Date(meta.issuedAt);
      for (let second = 0; ; second++) {
        const key = sessionKeyOf(task.code, new Date(at.getTime() + second * 1000));
        const data = { sessionKey: key, taskCode: task.code, sprintCode: task.sprintCode, template: template.name, phases: template.phases.map((p) => p.name), agentId, taskTitle: task.title, estimateMinutes: task.estimateMinutes };
        try {
          const started = await this.kit.sessions.execute(key, meta, (s) => decide({ type: 'StartSession', at: meta.issuedAt, data }, s), { expectNew: true });
          return { value: await this.kit.reply(started.state, meta, { outcome: 'started' }), seq: started.seq };
        } catch (error) {
          // A retry whose first run opened the session under another second's key (the key comes
          // from the time of the request, and the read model had not shown that session yet):
          // answer with the session the first run opened, as any retried command is answered.
          if (error instanceof CommandAppliedElsewhere && error.commit.events[0]?.type === 'orchestration.session.start') {
            const opened = await this.kit.load(error.commit.events[0].aggregateId);
            return { value: await this.kit.reply(opened, meta, { outcome: 'started' }), seq: error.commit.seq };
          }
          // The task had a session that ended within this very second: take the next second's key.
          if (!(error instanceof ConflictError && error.code === 'SESSION.EXISTS') || second >= 5) throw error;
        }
      }
    });
    await this.kit.context.update(meta, { sprintCode: task.sprintCode, taskCode: task.code, sessionKey: result.value.session.sessionKey });
    return { ...result, value: { ...result.value, warnings: [...result.value.warnings, ...(warning ? [warning] : [])] } };
  }

  private async locked<T>(taskCode: string, work: () => Promise<T>): Promise<T> {
    const key = `sessions:start-lock:${taskCode}`;
    const token = `${process.pid}:${Math.random()}`;
    const deadline = Date.now() + LOCK_WAIT_MS;
    while ((await this.redis.set(key, token, 'PX', LOCK_MS, 'NX')) !== 'OK') {
      if (Date.now() > deadline) throw new UnavailableError('SESSION.START_BUSY', `Another start of ${taskCode} is in progress; try again`);
      await new Promise((r) => setTimeout(r, 25));
    }
    try {
      return await work();
    } finally {
      // Release only our own lock (it may have expired and been taken by another caller).
      await this.redis.eval(`if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`, 1, key, token);
    }
  }
}
