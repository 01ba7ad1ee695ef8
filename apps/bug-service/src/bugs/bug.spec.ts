import type { BugEvent, BugLoggedData } from '@orch/contracts';
import { NotFoundError } from '@orch/errors';
import { deciderSpec } from '@orch/testing';
import { decide, evolve, initialState, outcomeOf } from './bug';

const spec = deciderSpec({ initialState, evolve, decide });
const HASH = 'a'.repeat(64);
const report = (over: Partial<BugLoggedData> = {}): BugLoggedData => ({
  hash: HASH,
  fingerprintVersion: 1,
  errorClass: 'TypeError',
  template: 'x is not a function',
  category: 'type',
  frame: { fn: 'run', path: 'src/a.ts' },
  stack: null,
  notes: [],
  message: 'TypeError: x is not a function',
  file: 'src/a.ts',
  line: 3,
  taskCode: 'TSK-1',
  sessionId: 'S-1',
  agentId: 'agent-1',
  redactions: 0,
  ...over,
});
const logged = (over: Partial<BugLoggedData> = {}): BugEvent => ({ type: 'orchestration.bug.logged', data: report(over) });
const occurrence = (r: BugLoggedData) => ({ message: r.message, file: r.file, line: r.line, taskCode: r.taskCode, sessionId: r.sessionId, agentId: r.agentId, redactions: r.redactions });
const resolved: BugEvent = { type: 'orchestration.bug.resolved', data: { resolution: 'fixed' } };
const log = (over: Partial<BugLoggedData> = {}) => ({ type: 'LogBug' as const, report: report(over) });

const fold = (events: BugEvent[]) =>
  events.reduce((s, e, i) => evolve(s, e, { occurredAt: `2026-01-01T00:00:0${i}.000Z`, version: i + 1, actor: { kind: 'agent', id: 'a' } }), initialState());

describe('a bug', () => {
  describe('when never seen', () => {
    it('is logged with the whole report', () => spec.given([]).when(log()).then([logged()]));
    it('cannot be resolved', () => {
      spec.given([]).when({ type: 'ResolveBug', hash: HASH, resolution: null }).thenThrows(NotFoundError, 'BUG.NOT_FOUND');
    });
  });

  describe('when open', () => {
    it('counts another occurrence', () => {
      const r = report({ line: 9, taskCode: 'TSK-2' });
      spec.given([logged()]).when({ type: 'LogBug', report: r }).then([{ type: 'orchestration.bug.occurred', data: occurrence(r) }]);
    });
    it('is resolved', () => spec.given([logged()]).when({ type: 'ResolveBug', hash: HASH, resolution: 'fixed' }).then([resolved]));
  });

  describe('when resolved', () => {
    it('regresses on a new occurrence', () => {
      spec.given([logged(), resolved]).when(log()).then([{ type: 'orchestration.bug.regressed', data: occurrence(report()) }]);
    });
    it('takes a second resolve as a retry', () => spec.given([logged(), resolved]).when({ type: 'ResolveBug', hash: HASH, resolution: null }).then([]));
  });

  describe('its state', () => {
    it('tracks count, first and last seen, last task, and the tasks, sessions and agents that hit it', () => {
      const state = fold([
        logged(),
        { type: 'orchestration.bug.occurred', data: occurrence(report({ taskCode: 'TSK-2', agentId: 'agent-2', line: 7 })) },
        { type: 'orchestration.bug.occurred', data: occurrence(report({ taskCode: null, sessionId: 'S-2' })) },
      ]);
      expect(state).toMatchObject({
        status: 'OPEN',
        occurrenceCount: 3,
        firstSeen: '2026-01-01T00:00:00.000Z',
        lastSeen: '2026-01-01T00:00:02.000Z',
        lastTaskCode: 'TSK-2',
        tasks: ['TSK-1', 'TSK-2'],
        sessions: ['S-1', 'S-2'],
        agents: ['agent-1', 'agent-2'],
        version: 3,
      });
    });
    it('reopens on a regression, which also counts as an occurrence', () => {
      expect(fold([logged(), resolved, { type: 'orchestration.bug.regressed', data: occurrence(report()) }])).toMatchObject({ status: 'OPEN', occurrenceCount: 2, regressionCount: 1 });
    });
  });

  it('names the outcome of a report', () => {
    expect(outcomeOf([logged()])).toBe('new');
    expect(outcomeOf([{ type: 'orchestration.bug.occurred', data: occurrence(report()) }])).toBe('recurring');
    expect(outcomeOf([{ type: 'orchestration.bug.regressed', data: occurrence(report()) }])).toBe('regression');
  });
});
