import { agentApiKey } from '@orch/contracts';
import { agentOfKey } from './agent-key';

describe('the agent an MCP server speaks for, from its key', () => {
  it("is the agent an agent's own key was issued to", () => {
    expect(agentOfKey(agentApiKey('coder-7f3a', 'any-secret'))).toBe('coder-7f3a');
  });

  it.each([['dev-agent-key'], ['agt_'], ['agt_.abc'], ['agt_no-dot'], ['agt_../x.abc'], [undefined]])('is none for %p', (key) => {
    expect(agentOfKey(key)).toBeUndefined();
  });
});
