import { AppendSessionLogsBody, parseSessionLogSince, SessionLogsQuery, SessionLogSubjects } from './logs';
import { Subjects } from '../common/subjects';

const line = { level: 'info', source: 'agent', message: 'hello' };
const issues = (value: unknown) => {
  const r = AppendSessionLogsBody.safeParse(value);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('the session logs body', () => {
  it('takes 1 to 500 lines with an optional time and a small context', () => {
    expect(issues({ lines: [{ ...line, at: '2026-01-01T12:00:00Z', context: { file: 'a.ts', n: 1, ok: true, x: null } }] })).toEqual([]);
    expect(issues({ lines: Array.from({ length: 500 }, () => line) })).toEqual([]);
  });

  it('names the limit of 500 lines, and refuses an empty batch', () => {
    expect(issues({ lines: Array.from({ length: 501 }, () => line) })).toEqual(['lines: must hold at most 500 lines per request (send the rest in another request)']);
    expect(issues({ lines: [] })).toEqual(['lines: must hold at least one line']);
  });

  it('names the field of each bad line', () => {
    expect(issues({ lines: [line, { ...line, level: 'fatal' }] })).toEqual([expect.stringMatching(/^lines\.1\.level: /)]);
    expect(issues({ lines: [{ ...line, source: 'human' }] })).toEqual([expect.stringMatching(/^lines\.0\.source: /)]);
    expect(issues({ lines: [{ ...line, message: 'x'.repeat(8_193) }] })).toEqual(['lines.0.message: must be at most 8192 characters (split longer output over several lines)']);
    expect(issues({ lines: [{ ...line, at: 'yesterday' }] })).toEqual(['lines.0.at: must be an ISO 8601 time, e.g. 2026-01-01T12:00:00.000Z']);
    expect(issues({ lines: [{ ...line, context: { deep: { no: 1 } } }] })).toEqual([expect.stringMatching(/^lines\.0\.context\.deep: /)]);
    expect(issues({ lines: [{ ...line, extra: 1 }] })).toEqual([expect.stringMatching(/^lines\.0: /)]);
  });

  it('refuses a batch larger than one message can carry, naming the size', () => {
    const lines = Array.from({ length: 100 }, () => ({ ...line, message: 'z'.repeat(8_000) }));
    expect(issues({ lines })).toEqual(['lines: must be at most 768 KiB of JSON per request (send fewer lines at a time)']);
  });
});

describe('since', () => {
  it.each([
    ['1042:17', { seq: 1042, index: 17 }],
    ['1042', { seq: 1042, index: null }],
    ['2026-01-01T12:00:00Z', { time: '2026-01-01T12:00:00.000Z' }],
    ['2026-01-01T14:00:00+02:00', { time: '2026-01-01T12:00:00.000Z' }],
  ])('reads %s', (value, expected) => {
    expect(parseSessionLogSince(value)).toEqual(expected);
  });

  it.each(['', 'yesterday', '12:', ':3', '-1', '2026-13-01T00:00:00Z', "1' OR 1=1"])('refuses %p in the query', (since) => {
    expect(parseSessionLogSince(since)).toBeNull();
    expect(SessionLogsQuery.safeParse({ since }).success).toBe(false);
  });
});

describe('the logs subjects', () => {
  it('are one per session under the deployment prefix, on a stream named after the event stream', () => {
    const s = new Subjects('t123');
    expect(SessionLogSubjects.of(s, 'sess_TSK-1_20260101_120000')).toBe('t123.logs.sess_TSK-1_20260101_120000');
    expect(SessionLogSubjects.all(s)).toBe('t123.logs.>');
    expect(SessionLogSubjects.stream('ORCH_EVENTS')).toBe('ORCH_EVENTS_LOGS');
    expect(() => SessionLogSubjects.of(s, 'sess.*.>')).toThrow();
  });
});
