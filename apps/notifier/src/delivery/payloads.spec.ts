import { Webhook } from 'standardwebhooks';
import { AgentLost, BugLogged, BugRegressed, PhaseOverridden, SessionSuspended, TaskStatusUpdated, WorkflowCompleted, type EventEnvelope } from '@orch/contracts';
import { newSigningSecret } from '../subscriptions/seal';
import { emitted, type Emitted } from '../testing/emitted';
import { describeEvent } from './describe';
import { bodyFor } from './payloads';
import { standardWebhookHeaders } from './signing';

const event = (type: string, data: Record<string, unknown>, aggregateType = type.split('.')[1]!, aggregateId = 'X-1'): EventEnvelope => ({
  id: '6f1c1c9e-4a4b-4b8a-9d0c-1f2e3d4c5b6a',
  type,
  aggregateType,
  aggregateId,
  version: 1,
  occurredAt: '2026-11-24T10:00:00.000Z',
  actor: { kind: 'agent', id: 'agent-1' },
  commandId: 'c',
  correlationId: 'c',
  causationId: null,
  schemaVersion: 1,
  data,
});

/**
 * The default messages (SPEC §4.6), each from an event shaped exactly as its service emits it:
 * `emitted` parses it with the contract's schema, so a test cannot pass on a made-up shape.
 */
const envelope = (e: Emitted, aggregateType: string, aggregateId: string): EventEnvelope => event(e.type, e.data, aggregateType, aggregateId);

describe('messages for people', () => {
  const session = 'sess_TSK-1_20261124_100000';
  const hash = 'a'.repeat(64);
  const occurrence = { file: 'src/a.ts', line: 3, taskCode: 'TSK-4', sessionId: session, agentId: 'agent-1' };
  const cases: Array<[string, EventEnvelope, { title: string; detail: string | null; link: string }]> = [
    [
      'phase override',
      envelope(emitted(PhaseOverridden, { type: 'orchestration.phase.override', data: { sessionKey: session, taskCode: 'TSK-1', sprintCode: 'SPR-1', phase: 'TEST', to: 'REVIEW', reason: 'flaky CI', actor: { kind: 'human', id: 'lead' }, missing: [{ kind: 'artifact', name: 'TEST_RESULTS.md', hint: 'write it' }], skipped: [] } }), 'session', session),
      { title: 'Phase override on TSK-1: TEST → REVIEW forced past its gate by human lead', detail: 'Reason: flaky CI\nMissing: TEST_RESULTS.md', link: `sessions/${session}` },
    ],
    [
      'session suspended',
      envelope(emitted(SessionSuspended, { type: 'orchestration.session.suspended', data: { sessionKey: session, taskCode: 'TSK-2', sprintCode: null, phase: 'EXECUTE', reason: 'agent lost', agentId: 'a1' } }), 'session', session),
      { title: `Session suspended on TSK-2: ${session} in EXECUTE`, detail: 'Reason: agent lost', link: `sessions/${session}` },
    ],
    [
      'agent lost',
      envelope(emitted(AgentLost, { type: 'orchestration.agent.lost', data: { agentId: 'a1', name: 'codex-1', type: 'codex', taskCodes: ['TSK-3', 'TSK-5'] } }), 'agent', 'a1'),
      { title: 'Agent lost: codex-1 (codex) stopped sending heartbeats', detail: 'Its tasks go back to the queue: TSK-3, TSK-5', link: 'agents/a1' },
    ],
    [
      'new bug',
      envelope(emitted(BugLogged, { type: 'orchestration.bug.logged', data: { ...occurrence, message: 'TypeError: x is undefined', redactions: 0, hash, fingerprintVersion: 1, errorClass: 'TypeError', template: 'x is undefined', category: 'type', frame: null, stack: null, notes: [] } }), 'bug', hash),
      { title: 'New bug on TSK-4: TypeError [type]', detail: 'TypeError: x is undefined\nat src/a.ts:3', link: `bugs/${hash}` },
    ],
    [
      'regression',
      envelope(emitted(BugRegressed, { type: 'orchestration.bug.regressed', data: { ...occurrence, message: 'back again', redactions: 0 } }), 'bug', hash),
      { title: 'Regression on TSK-4: a resolved bug is back', detail: 'back again', link: `bugs/${hash}` },
    ],
    [
      'task blocked',
      envelope(emitted(TaskStatusUpdated, { type: 'orchestration.task.status_updated', data: { from: 'FAILED', to: 'BLOCKED', reason: 'retries exhausted (3 attempts)' } }), 'task', 'TSK-6'),
      { title: 'Task blocked: TSK-6 (was FAILED)', detail: 'Reason: retries exhausted (3 attempts)', link: 'tasks/TSK-6' },
    ],
    [
      'task blocked without a reason',
      envelope(emitted(TaskStatusUpdated, { type: 'orchestration.task.status_updated', data: { from: 'READY', to: 'BLOCKED', reason: null } }), 'task', 'TSK-6'),
      { title: 'Task blocked: TSK-6 (was READY)', detail: 'No reason given', link: 'tasks/TSK-6' },
    ],
    [
      'any other status move',
      envelope(emitted(TaskStatusUpdated, { type: 'orchestration.task.status_updated', data: { from: 'IN_PROGRESS', to: 'DONE', reason: null } }), 'task', 'TSK-7'),
      { title: 'Task TSK-7: IN_PROGRESS → DONE', detail: null, link: 'tasks/TSK-7' },
    ],
    [
      'workflow completed',
      envelope(emitted(WorkflowCompleted, { type: 'orchestration.workflow.completed', data: { taskCount: 7 } }), 'workflow', 'WFL-1'),
      { title: 'Workflow completed: WFL-1', detail: '7 tasks done', link: 'workflows/WFL-1' },
    ],
  ];

  it.each(cases)('tells %s', (_name, e, { title, detail, link }) => {
    const story = describeEvent(e, 'https://orch.example.com/');
    expect(story).toMatchObject({ title, detail, link: `https://orch.example.com/api/v1/${link}` });
  });

  it('refuses to build an event its service would not emit', () => {
    expect(() => emitted(TaskStatusUpdated, { type: 'orchestration.task.status_updated', data: { status: 'BLOCKED', reason: 'x' } } as never)).toThrow();
    expect(() => emitted(TaskStatusUpdated, { type: 'orchestration.task.status_updated', data: { from: 'READY', to: 'BLOCKED', reason: null, status: 'BLOCKED' } } as never)).toThrow(/no status/);
  });

  it('has no link without a public URL, and a plain line for any other event', () => {
    const story = describeEvent(event('orchestration.sprint.created', { code: 'SPR-1' }, 'sprint', 'SPR-1'));
    expect(story).toMatchObject({ title: 'orchestration.sprint.created on sprint SPR-1', link: null });
  });

  it('escapes Slack mrkdwn so event text cannot mention a channel', () => {
    const body = JSON.parse(bodyFor('slack', event('orchestration.bug.logged', { message: '<!everyone> & <http://evil|click>', taskCode: 'TSK-1' }), 9));
    expect(JSON.stringify(body)).not.toMatch(/<!everyone>|<http:/);
    expect(JSON.stringify(body)).toContain('&lt;!everyone&gt; &amp;');
  });

  it('sends the event itself to generic receivers, with its sequence', () => {
    const e = event('orchestration.bug.logged', { message: 'm' });
    expect(JSON.parse(bodyFor('generic', e, 42))).toEqual({ ...e, seq: 42 });
  });

  it('never sends the value of a private state entry, to any kind of receiver', () => {
    const e = event('orchestration.session.private_state_updated', { sessionKey: 's1', owner: 'agt_1', name: 'token', value: 'sk-live-hunter2', removed: false, version: 1 });
    for (const kind of ['generic', 'slack', 'discord'] as const) expect(bodyFor(kind, e, 7)).not.toContain('hunter2');
    expect(JSON.parse(bodyFor('generic', e, 7)).data).toMatchObject({ name: 'token', value: '[private]' });
  });
});

describe('Standard Webhooks signatures', () => {
  it('verify with the stock library, and fail when anything changes', () => {
    const secret = newSigningSecret();
    const body = '{"hello":"world"}';
    const headers = standardWebhookHeaders(secret, 'msg_1', body);
    expect(new Webhook(secret).verify(body, headers)).toEqual({ hello: 'world' });
    expect(() => new Webhook(secret).verify('{"hello":"there"}', headers)).toThrow();
    expect(() => new Webhook(newSigningSecret()).verify(body, headers)).toThrow();
    expect(() => new Webhook(secret).verify(body, { ...headers, 'webhook-id': 'msg_2' })).toThrow();
  });
});
