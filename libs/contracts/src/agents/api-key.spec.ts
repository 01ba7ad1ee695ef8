import { agentApiKey, agentKeySecretFrom, DEV_AGENT_KEY_SECRET, verifyAgentApiKey } from './api-key';

describe('per-agent API keys', () => {
  const key = agentApiKey('coder-abc123', 's3cret');

  it('name their agent and verify with the same secret', () => {
    expect(key).toMatch(/^agt_coder-abc123\.[A-Za-z0-9_-]{43}$/);
    expect(verifyAgentApiKey(key, 's3cret')).toBe('coder-abc123');
  });

  it.each([
    ['another secret', key, 'other'],
    ['a changed agent id', key.replace('coder-abc123', 'coder-abc124'), 's3cret'],
    ['a changed signature', `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`, 's3cret'],
    ['a truncated signature', key.slice(0, -5), 's3cret'],
    ['no signature', 'agt_coder-abc123', 's3cret'],
    ['an id that is not a subject token', agentApiKey('a.b', 's3cret'), 's3cret'],
    ['another kind of key', 'dev-agent-key', 's3cret'],
  ])('refuse %s', (_name, presented, secret) => {
    expect(verifyAgentApiKey(presented, secret)).toBeNull();
  });

  it('use the development secret outside production only', () => {
    expect(agentKeySecretFrom({ NODE_ENV: 'development' })).toBe(DEV_AGENT_KEY_SECRET);
    expect(agentKeySecretFrom({ NODE_ENV: 'production' })).toBeNull();
    expect(agentKeySecretFrom({ NODE_ENV: 'production', AGENT_KEY_SECRET: ' x ' })).toBe('x');
  });
});
