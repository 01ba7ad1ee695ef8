import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Per-agent API keys, `agt_<agentId>.<hmac>`: the agent manager issues them and the gateway
 * verifies them statelessly with the same secret (`AGENT_KEY_SECRET`), so no key store is needed.
 */
export const AGENT_KEY_PREFIX = 'agt_';
/** Outside production, with no secret configured, both sides use this one. */
export const DEV_AGENT_KEY_SECRET = 'orch-dev-agent-key-secret';

const mac = (agentId: string, secret: string): string => createHmac('sha256', secret).update(`agent:${agentId}`).digest('base64url');

export function agentApiKey(agentId: string, secret: string): string {
  return `${AGENT_KEY_PREFIX}${agentId}.${mac(agentId, secret)}`;
}

/** The agent id a key was issued to, or null when it is not a valid agent key. Constant-time compare. */
export function verifyAgentApiKey(key: string, secret: string): string | null {
  if (!key.startsWith(AGENT_KEY_PREFIX)) return null;
  const dot = key.lastIndexOf('.');
  if (dot <= AGENT_KEY_PREFIX.length) return null;
  const agentId = key.slice(AGENT_KEY_PREFIX.length, dot);
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/.test(agentId)) return null;
  const given = Buffer.from(key.slice(dot + 1));
  const expected = Buffer.from(mac(agentId, secret));
  return given.length === expected.length && timingSafeEqual(given, expected) ? agentId : null;
}

/** The secret from the environment: required in production, the development one otherwise. */
export function agentKeySecretFrom(env: NodeJS.ProcessEnv): string | null {
  const secret = env.AGENT_KEY_SECRET?.trim();
  if (secret) return secret;
  return env.NODE_ENV === 'production' ? null : DEV_AGENT_KEY_SECRET;
}
