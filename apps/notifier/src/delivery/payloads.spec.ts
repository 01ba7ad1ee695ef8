import { Webhook } from 'standardwebhooks';
import type { EventEnvelope } from '@orch/contracts';
import { newSigningSecret } from '../subscriptions/seal';
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

describe('messages for people', () => {
  it.each([
    [
      event('orchestration.phase.override', { sessionKey: 'sess_TSK-1_20261124_100000', taskCode: 'TSK-1', sprintCode: null, phase: 'TEST', to: 'REVIEW', reason: 'flaky CI', actor: { kind: 'human', id: 'lead' }, missing: [{ kind: 'artifact', name: 'TEST_RESULTS.md' }], skipped: [] }, 'session'),
      /Phase override on TSK-1: TEST → REVIEW forced past its gate by human lead/,
      /flaky CI\nMissing: TEST_RESULTS\.md/,
    ],
    [event('orchestration.session.suspended', { sessionKey: 's-1', taskCode: 'TSK-2', sprintCode: null, phase: 'EXECUTE', reason: 'agent lost', agentId: 'a1' }, 'session'), /Session suspended on TSK-2: s-1 in EXECUTE/, /agent lost/],
    [event('orchestration.workflow.completed', { taskCount: 7 }, 'workflow', 'wf-1'), /Workflow completed: wf-1/, /7 tasks done/],
    [event('orchestration.agent.lost', { agentId: 'a1', name: 'codex-1', type: 'codex', taskCodes: ['TSK-3'] }, 'agent', 'a1'), /Agent lost: codex-1 \(codex\)/, /TSK-3/],
    [event('orchestration.bug.logged', { message: "TypeError: x is undefined", errorClass: 'TypeError', category: 'type', taskCode: 'TSK-4', file: 'src/a.ts', line: 3 }), /New bug on TSK-4: TypeError \[type\]/, /src\/a\.ts:3/],
    [event('orchestration.bug.regressed', { message: 'back again', taskCode: 'TSK-5' }), /Regression on TSK-5/, /back again/],
    [event('orchestration.task.status_updated', { status: 'BLOCKED', reason: 'retries exhausted' }, 'task', 'TSK-6'), /Task blocked: TSK-6/, /retries exhausted/],
  ])('tells %#', (e, title, detail) => {
    const story = describeEvent(e, 'https://orch.example.com/');
    expect(story.title).toMatch(title);
    expect(story.detail).toMatch(detail);
    expect(story.link).toMatch(/^https:\/\/orch\.example\.com\/api\/v1\//);
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
