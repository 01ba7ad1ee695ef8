import { decodeCommit, PoisonCommitError } from './commit-codec';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('reading a commit off the stream', () => {
  it.each([
    ['not JSON', 'garbage{', /body is not JSON/],
    ['JSON without events', '{"hello":1}', /events: /],
    ['an empty commit', '{"events":[]}', /events: /],
    ['an event with a bad id', JSON.stringify({ events: [{ id: 'x' }] }), /events\.0\./],
  ])('calls %s a poison message, naming the problem', (_what, body, reason) => {
    expect(() => decodeCommit({ seq: 7, subject: 's', data: bytes(body) })).toThrow(PoisonCommitError);
    expect(() => decodeCommit({ seq: 7, subject: 's', data: bytes(body) })).toThrow(reason);
  });
});
