import type { Actor } from '@orch/contracts';
import { ForbiddenError } from '@orch/errors';
import { assertMayUseLogs } from './log-access';
import { redactLine } from './session-logs';

const session = (agentId: string | null) => ({ key: 'sess_TSK-1_20260101_000000', agentId });
const agent = (id: string): Actor => ({ kind: 'agent', id, role: 'agent' });

describe('who may use a session\'s logs', () => {
  it('lets an agent write and read the logs of the session it holds, or of one nobody holds', () => {
    expect(() => assertMayUseLogs(session('a1'), agent('a1'), 'write')).not.toThrow();
    expect(() => assertMayUseLogs(session(null), agent('a1'), 'read')).not.toThrow();
  });

  it.each(['write', 'read'] as const)('refuses an agent to %s the logs of a session another agent holds', (use) => {
    const refuse = () => assertMayUseLogs(session('a2'), agent('a1'), use);
    expect(refuse).toThrow(ForbiddenError);
    expect(refuse).toThrow(`an agent key may ${use} the logs of its own sessions only`);
  });

  it('lets admins and viewers read any session\'s logs', () => {
    expect(() => assertMayUseLogs(session('a2'), { kind: 'human', id: 'ops', role: 'admin' }, 'write')).not.toThrow();
    expect(() => assertMayUseLogs(session('a2'), { kind: 'human', id: 'v', role: 'viewer' }, 'read')).not.toThrow();
  });
});

describe('redacting a line before it is stored', () => {
  const RECEIVED = '2026-01-01T10:00:00.000Z';

  it('cuts secrets from the message and from string context values, and counts them', () => {
    const r = redactLine({ level: 'info', source: 'agent', message: 'using token ghp_abcdefghijklmnopqrstuvwxyz0123456789', context: { url: 'postgres://app:hunter2secret@db:5432/x', attempt: 2 } }, RECEIVED);
    expect(r.redactions).toBe(2);
    expect(r.line.message).not.toContain('ghp_abcdefghijklmnopqrstuvwxyz0123456789');
    expect(String(r.line.context!.url)).not.toContain('hunter2secret');
    expect(r.line.context!.attempt).toBe(2);
  });

  it('keeps the writer\'s time, else takes the time it was received', () => {
    expect(redactLine({ level: 'warn', source: 'task', message: 'plain', at: '2026-01-01T09:59:00.000Z' }, RECEIVED)).toEqual({ line: { level: 'warn', source: 'task', message: 'plain', at: '2026-01-01T09:59:00.000Z' }, redactions: 0 });
    expect(redactLine({ level: 'warn', source: 'task', message: 'plain' }, RECEIVED).line.at).toBe(RECEIVED);
  });
});
