import { bugScope } from './bug-scope';

describe('which task and session a bug report is filed under (orch bug-log and MCP bug_log)', () => {
  const current = { taskCode: 'TSK-7', sessionKey: 'sess_TSK-7_20260101_000000' };

  it('takes the current task and session when the report names neither', () => {
    expect(bugScope({}, current)).toEqual(current);
  });

  it('files a report about another task under that task alone, never under the current session', () => {
    expect(bugScope({ taskCode: 'TSK-8' }, current)).toEqual({ taskCode: 'TSK-8', sessionKey: undefined });
  });

  it('keeps the current session for a report that names the current task, and what the report names wins', () => {
    expect(bugScope({ taskCode: 'TSK-7' }, current)).toEqual(current);
    expect(bugScope({ taskCode: 'TSK-8', sessionKey: 'sess_TSK-8_20260101_000000' }, current)).toEqual({ taskCode: 'TSK-8', sessionKey: 'sess_TSK-8_20260101_000000' });
  });

  it('names nothing when there is no context (null from the server, absent locally)', () => {
    expect(bugScope({}, { taskCode: null, sessionKey: null })).toEqual({ taskCode: undefined, sessionKey: undefined });
    expect(bugScope({}, {})).toEqual({ taskCode: undefined, sessionKey: undefined });
  });
});
