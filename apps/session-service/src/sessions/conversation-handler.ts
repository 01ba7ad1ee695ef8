import { Injectable } from '@nestjs/common';
import { TurnAdded, type AddTurnBody, type SessionTurn, type TurnPage, type TurnReply } from '@orch/contracts';
import type { CommandMeta } from '@orch/event-store';
import type { HandlerResult } from '@orch/messaging';
import { pageWindow, turnView } from './conversation';
import { redact } from './redact';
import { decide } from './session.decide';
import { assertMayChange, SessionKit, withoutExpectation } from './session-kit';
import { SessionLog } from './session-log';

/** A turn does not depend on what its caller saw: a lost race is decided again, often. */
const RETRIES = 20;
const TURN = 'orchestration.session.turn_added';

/** `POST|GET /sessions/:key/conversation`: append a turn (redacted), read them back page by page. */
@Injectable()
export class ConversationHandler {
  constructor(
    private readonly kit: SessionKit,
    private readonly log: SessionLog,
  ) {}

  async add(sessionKey: string | undefined, body: AddTurnBody, rawMeta: CommandMeta): Promise<HandlerResult<TurnReply>> {
    const meta = withoutExpectation(rawMeta);
    const key = await this.kit.resolve(sessionKey, meta);
    const r = redact(body.content);
    const tokens = body.tokens ? { input: body.tokens.input ?? 0, output: body.tokens.output ?? 0 } : null;
    const result = await this.kit.sessions.execute(
      key,
      meta,
      (s) => {
        assertMayChange(s, meta.actor);
        return decide({ type: 'AddTurn', role: body.role, content: r.text, tokens, redactions: r.redactions }, s);
      },
      { maxAttempts: RETRIES },
    );
    // A retried command answers with the turn its first run stored (result.events are that commit's).
    const stored = result.events.find((e) => e.type === TURN)!;
    const turn = turnView(TurnAdded.parse({ type: stored.type, data: stored.data }).data, stored);
    const s = result.state!;
    const warnings = turn.redactions ? [`${turn.redactions} secret${turn.redactions > 1 ? 's were' : ' was'} redacted from the turn before it was recorded`] : [];
    const reply = await this.kit.reply(s, meta);
    return { value: { sessionKey: s.key, turn, conversation: s.conversation, version: s.version, warnings, instructions: reply.instructions }, seq: result.seq };
  }

  /** The newest `limit` turns before `before`, oldest first: from the aggregate when it still keeps them, else from the log. */
  async list(sessionKey: string | undefined, limit: number, before: number | undefined, meta: CommandMeta): Promise<TurnPage> {
    const s = await this.kit.load(await this.kit.resolve(sessionKey, meta));
    const { from, to } = pageWindow(s.conversation.turns, limit, before);
    const firstKept = s.conversation.turns - s.turns.length + 1;
    let items: SessionTurn[] = [];
    if (to >= from) {
      items = from >= firstKept ? s.turns.filter((t) => t.turn >= from && t.turn <= to) : await this.fromLog(s.key, from, to);
    }
    return { sessionKey: s.key, items, conversation: s.conversation, nextBefore: to >= from && from > 1 ? from : null };
  }

  private async fromLog(sessionKey: string, from: number, to: number): Promise<SessionTurn[]> {
    const events = await this.log.events(sessionKey, [TURN]);
    return events
      .map(({ envelope }) => turnView(TurnAdded.parse({ type: envelope.type, data: envelope.data }).data, envelope))
      .filter((t) => t.turn >= from && t.turn <= to);
  }
}
