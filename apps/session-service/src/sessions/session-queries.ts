import { Injectable } from '@nestjs/common';
import type { Briefing, ListSessionsQuery, MeContext, PutMeContextBody } from '@orch/contracts';
import { NotFoundError } from '@orch/errors';
import type { CommandMeta } from '@orch/event-store';
import { SessionReadModel } from '../read-model/session-read-model';
import { TaskFactsReader } from '../read-model/task-facts';
import { Briefings } from './briefings';
import { Collaborators } from './collaborators';
import { changesMarkdown } from './changes-md';
import { SessionKit } from './session-kit';

/** Reads: a session and its briefing come from the aggregate (always current); lists from the read model. */
@Injectable()
export class SessionQueries {
  constructor(
    private readonly kit: SessionKit,
    private readonly readModel: SessionReadModel,
    private readonly briefings: Briefings,
    private readonly others: Collaborators,
    private readonly facts: TaskFactsReader,
  ) {}

  async get(sessionKey: string | undefined, meta: CommandMeta) {
    const s = await this.kit.load(await this.kit.resolve(sessionKey, meta));
    return await this.kit.reply(s, meta);
  }

  async list(q: ListSessionsQuery) {
    return { items: await this.readModel.list(q) };
  }

  async briefing(sessionKey: string | undefined, actions: number, meta: CommandMeta, turns?: number): Promise<Briefing> {
    const s = await this.kit.load(await this.kit.resolve(sessionKey, meta));
    return this.briefings.build(s, actions, meta, undefined, turns);
  }

  async artifact(sessionKey: string, name: string) {
    const a = (await this.kit.load(sessionKey)).artifacts[name];
    if (!a) throw new NotFoundError('ARTIFACT.NOT_FOUND', `Session ${sessionKey} has no artifact ${name}`);
    return { name: a.name, sha256: a.sha256, size: a.size, uri: a.uri, content: a.content };
  }

  async changes(taskCode: string, meta: CommandMeta) {
    await this.kit.readModelCaughtUp();
    const rows = await this.readModel.allOfTask(taskCode);
    if (!rows.length) throw new NotFoundError('SESSION.NOT_FOUND', `Task ${taskCode} has no session yet: nothing has changed`);
    const [sessions, task] = await Promise.all([Promise.all(rows.map((r) => this.kit.load(r.sessionKey))), this.facts.task(taskCode)]);
    return { markdown: changesMarkdown(sessions, task, meta.issuedAt) };
  }

  getContext(meta: CommandMeta): Promise<MeContext> {
    return this.kit.context.get(meta.actor.id);
  }

  async putContext(body: PutMeContextBody, meta: CommandMeta): Promise<MeContext> {
    let patch = body;
    if (body.sessionKey) {
      const s = await this.kit.load(body.sessionKey);
      patch = { sprintCode: s.sprintCode, taskCode: s.taskCode, ...body };
    } else if (body.taskCode) {
      const task = await this.others.task(body.taskCode, meta);
      patch = { sprintCode: task.sprintCode, ...body };
    } else if (body.sprintCode) {
      await this.others.assertSprint(body.sprintCode, meta);
    }
    return this.kit.context.update(meta, patch);
  }
}
