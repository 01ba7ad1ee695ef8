import { join } from 'node:path';
import { AddTurnBody, MAX_TURN_BYTES, type SessionEvent } from '@orch/contracts';
import { ConflictError, NotFoundError } from '@orch/errors';
import { deciderSpec } from '@orch/testing';
import { findConfigDir, loadTemplates } from '../workflow/templates';
import { buildBriefing } from './briefings';
import { KEPT_TURNS, pageWindow, type AddTurn } from './conversation';
import { decide } from './session.decide';
import { evolve, initialState, summarise, type Session, type SessionState } from './session';
import { sessionView } from './views';

const spec = deciderSpec({ initialState, evolve, decide });
const KEY = 'sess_TSK-1_20260101_000000';
const base = { sessionKey: KEY, taskCode: 'TSK-1', sprintCode: 'SPR-1' };
const PHASES = ['INTAKE', 'RESEARCH', 'PLAN', 'EXECUTE', 'REVIEW', 'CLOSE'];
const started: SessionEvent[] = [
  { type: 'orchestration.session.start', data: { ...base, template: 'default', phases: PHASES, agentId: 'agent-1', taskTitle: 'Do it', estimateMinutes: 30 } },
  { type: 'orchestration.phase.intake.start', data: { ...base, phase: 'INTAKE', from: null } },
];
const ended: SessionEvent = { type: 'orchestration.session.end', data: { ...base, status: 'COMPLETED', phase: 'INTAKE', forced: true, reason: null, activeMs: 1, phaseDurations: {} } };
const add = (over: Partial<AddTurn> = {}): AddTurn => ({ type: 'AddTurn', role: 'user', content: 'hello', tokens: null, redactions: 0, ...over });
const turn = (n: number, over: Partial<Extract<SessionEvent, { type: 'orchestration.session.turn_added' }>['data']> = {}): SessionEvent => ({
  type: 'orchestration.session.turn_added',
  data: { ...base, phase: 'INTAKE', turn: n, role: n % 2 ? 'user' : 'assistant', content: `turn ${n}`, tokens: { input: n, output: 10 * n }, redactions: 0, ...over },
});
const fold = (events: SessionEvent[]): Session =>
  events.reduce<SessionState>((s, e, i) => evolve(s, e, { occurredAt: `2026-01-01T00:00:${String(i).padStart(2, '0')}.000Z`, version: i + 1, actor: { kind: 'agent', id: 'agent-1' } }), initialState())!;
const turns = (n: number) => Array.from({ length: n }, (_, i) => turn(i + 1));

describe('conversation turns', () => {
  describe('when the session does not exist', () => {
    it('refuses a turn', () => {
      spec.given([]).when(add()).thenThrows(NotFoundError, 'SESSION.NOT_FOUND');
    });
  });

  describe('when the session is open', () => {
    it('appends turn 1 in the current phase, with its tokens and redaction count', () => {
      spec.given(started).when(add({ role: 'assistant', content: 'hi [REDACTED]', tokens: { input: 5, output: 7 }, redactions: 1 })).then([
        { type: 'orchestration.session.turn_added', data: { ...base, phase: 'INTAKE', turn: 1, role: 'assistant', content: 'hi [REDACTED]', tokens: { input: 5, output: 7 }, redactions: 1 } },
      ]);
    });
    it('numbers the next turn after the ones recorded', () => {
      const [event] = decide(add(), fold([...started, ...turns(3)]));
      expect(event).toMatchObject({ data: { turn: 4 } });
    });
  });

  describe('when the session has ended', () => {
    it('refuses a turn', () => {
      spec.given([...started, ended]).when(add()).thenThrows(ConflictError, 'SESSION.ENDED');
    });
  });

  describe('its state', () => {
    it('sums the tokens of every turn into the session view (turns without counts add nothing)', () => {
      const s = fold([...started, turn(1), turn(2, { tokens: null }), turn(3)]);
      expect(sessionView(s, '2026-01-01T01:00:00.000Z').conversation).toEqual({ turns: 3, tokens: { input: 4, output: 40 } });
    });
    it(`keeps the newest ${KEPT_TURNS} turns, and the totals of all of them`, () => {
      const s = fold([...started, ...turns(KEPT_TURNS + 7)]);
      expect(s.turns).toHaveLength(KEPT_TURNS);
      expect(s.turns[0]!.turn).toBe(8);
      expect(s.turns.at(-1)).toMatchObject({ turn: KEPT_TURNS + 7, content: `turn ${KEPT_TURNS + 7}`, by: 'agent-1' });
      expect(s.conversation.turns).toBe(KEPT_TURNS + 7);
    });
    it('keeps turns out of the last actions, so they do not crowd out phase changes and notes', () => {
      const s = fold([...started, ...turns(5)]);
      expect(s.lastActions.map((a) => a.type)).toEqual(['orchestration.session.start', 'orchestration.phase.intake.start']);
      expect(s.version).toBe(7);
    });
    it('summarises a turn on one line', () => {
      expect(summarise(turn(2, { content: 'a\n  b' }))).toBe('assistant turn 2: a b');
    });
  });

  describe('pages', () => {
    it.each([
      [10, 3, undefined, { from: 8, to: 10 }],
      [10, 3, 8, { from: 5, to: 7 }],
      [10, 50, undefined, { from: 1, to: 10 }],
      [10, 3, 1, { from: 1, to: 0 }],
      [10, 3, 99, { from: 8, to: 10 }],
      [0, 3, undefined, { from: 1, to: 0 }],
    ])('of %i turns, limit %i before %s: %o', (total, limit, before, window) => {
      expect(pageWindow(total, limit, before)).toEqual(window);
    });
  });
});

describe('the body of a turn', () => {
  it('takes the four roles and optional token counts', () => {
    for (const role of ['user', 'assistant', 'system', 'tool']) expect(AddTurnBody.safeParse({ role, content: 'x', tokens: { input: 1 } }).success).toBe(true);
  });
  it.each([
    ['an unknown role', { role: 'robot', content: 'x' }, 'role'],
    ['a blank content', { role: 'user', content: '  \n ' }, 'content'],
    ['a content over 32 KB', { role: 'user', content: 'x'.repeat(MAX_TURN_BYTES + 1) }, 'content'],
    ['32 KB of characters that are more bytes', { role: 'user', content: 'é'.repeat(MAX_TURN_BYTES / 2 + 1) }, 'content'],
    ['negative tokens', { role: 'user', content: 'x', tokens: { input: -1 } }, 'tokens.input'],
    ['fractional tokens', { role: 'user', content: 'x', tokens: { output: 1.5 } }, 'tokens.output'],
    ['an unknown field', { role: 'user', content: 'x', name: 'y' }, ''],
  ])('refuses %s, naming the field', (_what, body, path) => {
    const parsed = AddTurnBody.safeParse(body);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => i.path.join('.'))).toContain(path);
  });
  it('names the limit when the content is too long', () => {
    const parsed = AddTurnBody.safeParse({ role: 'user', content: 'é'.repeat(MAX_TURN_BYTES / 2 + 1) });
    expect(parsed.error!.issues[0]!.message).toContain('32768 bytes (32 KB)');
  });
});

describe('the briefing', () => {
  const template = loadTemplates(join(findConfigDir(), 'workflows')).get('default')!;
  const brief = (s: Session, turnsWanted?: number) => buildBriefing(s, template, { now: '2026-01-01T01:00:00.000Z', actions: 3, turns: turnsWanted, task: null, bugs: [], checkArtifacts: true });

  it('carries the last N turns, oldest first, and the conversation totals', () => {
    const b = brief(fold([...started, ...turns(12)]), 4);
    expect(b.recentTurns.map((t) => [t.turn, t.role, t.content])).toEqual([
      [9, 'user', 'turn 9'],
      [10, 'assistant', 'turn 10'],
      [11, 'user', 'turn 11'],
      [12, 'assistant', 'turn 12'],
    ]);
    expect(b.conversation).toEqual({ turns: 12, tokens: { input: 78, output: 780 } });
  });
  it('carries no turns when asked for none, and every kept one when there are fewer', () => {
    expect(brief(fold([...started, ...turns(3)]), 0).recentTurns).toEqual([]);
    expect(brief(fold([...started, ...turns(3)]), 10).recentTurns.map((t) => t.turn)).toEqual([1, 2, 3]);
  });
});
