import { PRIVATE_PLACEHOLDER, withoutPrivateFields } from './private-fields';

describe('private fields of events', () => {
  it('replaces the value of a private state entry, and keeps who, what and when', () => {
    const data = { sessionKey: 's1', owner: 'agt_1', name: 'token', value: { secret: 'hunter2' }, removed: false, version: 3 };
    expect(withoutPrivateFields('orchestration.session.private_state_updated', data)).toEqual({ ...data, value: PRIVATE_PLACEHOLDER });
    expect(data.value).toEqual({ secret: 'hunter2' }); // the event itself is untouched
  });

  it('leaves every other event as it is', () => {
    const data = { sessionKey: 's1', name: 'plan', value: 'shared with everyone' };
    expect(withoutPrivateFields('orchestration.session.state_updated', data)).toBe(data);
  });
});
