import type { EventEnvelope } from '@orch/contracts';
import { compileMatcher } from './match';
import type { EventScope } from './scope-index';

const event = (type: string, data: Record<string, unknown> = {}): EventEnvelope =>
  ({ id: 'e1', type, aggregateType: 'bug', aggregateId: 'b1', version: 1, data, occurredAt: '2026-01-01T00:00:00.000Z', actor: { kind: 'agent', id: 'a' }, commandId: 'c', correlationId: 'c', causationId: null, schemaVersion: 1 }) as EventEnvelope;

describe('matching an event to subscriptions', () => {
  const subs = [
    { id: 'all-bugs', events: ['orchestration.bug.*'], sprintCode: null, taskCode: null },
    { id: 'sprint-a-bugs', events: ['orchestration.bug.*'], sprintCode: 'SPR-A', taskCode: null },
    { id: 'task-7-tasks', events: ['orchestration.task.*'], sprintCode: null, taskCode: 'TSK-7' },
  ];
  const match = compileMatcher(subs);
  const lookups: string[] = [];
  const scope = (about: EventScope) => async () => {
    lookups.push('looked up');
    return about;
  };
  beforeEach(() => (lookups.length = 0));

  it('looks nothing up for an event that no subscription wants', async () => {
    expect(await match(event('orchestration.session.note_added'), scope({ tasks: [], sprints: [] }))).toEqual([]);
    expect(lookups).toEqual([]);
  });

  it('looks nothing up when the subscriptions that want the event filter nothing', async () => {
    const unfiltered = compileMatcher([subs[0]!]);
    expect(await unfiltered(event('orchestration.bug.logged'), scope({ tasks: [], sprints: [] }))).toEqual(['all-bugs']);
    expect(lookups).toEqual([]);
  });

  it('looks the scope up once when a filtered subscription wants the event, and keeps to its filter', async () => {
    expect(await match(event('orchestration.bug.logged'), scope({ tasks: ['TSK-7'], sprints: ['SPR-A'] }))).toEqual(['all-bugs', 'sprint-a-bugs']);
    expect(await match(event('orchestration.bug.logged'), scope({ tasks: ['TSK-7'], sprints: ['SPR-B'] }))).toEqual(['all-bugs']);
    expect(await match(event('orchestration.task.status_updated'), scope({ tasks: ['TSK-7'], sprints: [] }))).toEqual(['task-7-tasks']);
    expect(lookups).toEqual(['looked up', 'looked up', 'looked up']);
  });
});
