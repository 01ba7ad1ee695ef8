import type { EventEnvelope } from '@orch/contracts';
import { describeEvent } from './describe';
import { bodyFor } from './payloads';

const crossed = (data: Record<string, unknown>, aggregateId: string): EventEnvelope => ({
  id: '0b6f3f5e-9d57-4a39-9d8f-3f0e2a9b1c4d',
  type: 'orchestration.budget.threshold_crossed',
  aggregateType: 'budget',
  aggregateId,
  version: 3,
  occurredAt: '2026-11-24T10:00:00.000Z',
  actor: { kind: 'agent', id: 'coder-1' },
  commandId: 'c',
  correlationId: 'c',
  causationId: null,
  schemaVersion: 1,
  data,
});

describe('budget messages', () => {
  const session = 'sess_TSK-7_20261124_100000';

  it('warns at 80 % with what is used of what', () => {
    const story = describeEvent(crossed({ scope: 'session', scopeId: session, dimension: 'tokens', percent: 80, used: 8000, limit: 10000 }, session), 'https://orch.example.com/');
    expect(story).toMatchObject({
      emoji: ':hourglass_flowing_sand:', title: `Budget 80 % used: tokens of session ${session}`, detail: '8,000 tokens of 10,000 tokens used',
      link: `https://orch.example.com/api/v1/budgets/session/${session}`, fields: [['Session', session]],
    });
  });

  it('says a budget is exhausted at 100 %, in dollars for cost', () => {
    const story = describeEvent(crossed({ scope: 'workflow', scopeId: 'WFL-1', dimension: 'costUsd', percent: 100, used: 5.2, limit: 5 }, 'WFL-1'));
    expect(story).toMatchObject({ emoji: ':money_with_wings:', title: 'Budget exhausted: cost of workflow WFL-1', detail: '$5.20 of $5.00 used', fields: [['Workflow', 'WFL-1']] });
  });

  it('is the Slack message a subscription to the event receives', () => {
    const body = JSON.parse(bodyFor('slack', crossed({ scope: 'session', scopeId: session, dimension: 'wallSeconds', percent: 100, used: 3700, limit: 3600 }, session), 7));
    expect(body.text).toBe(`:money_with_wings: Budget exhausted: wall time of session ${session}`);
    expect(body.blocks[0].text.text).toContain('3700 s of 3600 s used');
  });
});
