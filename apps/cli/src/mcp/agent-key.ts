import { AGENT_KEY_PREFIX, AgentId } from '@orch/contracts';

/**
 * The agent an agent's own key (`agt_<agentId>.<hmac>`, docs/agents.md) was issued to, so an MCP
 * server configured with nothing but that key can heartbeat and ask for work as its agent. Read
 * without the secret on purpose: the gateway verifies the key on every call, so a forged one gets
 * a 401, never another agent's work. Undefined for any other key (a role key names no agent).
 */
export function agentOfKey(key: string | undefined): string | undefined {
  const dot = key?.lastIndexOf('.') ?? -1;
  if (!key?.startsWith(AGENT_KEY_PREFIX) || dot <= AGENT_KEY_PREFIX.length) return undefined;
  const id = key.slice(AGENT_KEY_PREFIX.length, dot);
  return AgentId.safeParse(id).success ? id : undefined;
}
