import { createHash, timingSafeEqual } from 'node:crypto';
import { agentKeySecretFrom, AGENT_KEY_PREFIX, verifyAgentApiKey, type Actor, type Role } from '@orch/contracts';
import { ConfigError } from '@orch/config';

/** One configured key. `id` is what logs and events show; the key itself never leaves this file. */
export interface ApiKeyEntry {
  id: string;
  role: Role;
  digest: Buffer;
}

/** Who a request is, once its key is recognised. */
export interface Principal {
  keyId: string;
  role: Role;
  actor: Actor;
}

/** Outside production, with no keys configured, these work and are printed at start (SPEC §6). */
export const DEV_KEYS: ReadonlyArray<{ key: string; role: Role; id: string }> = [
  { key: 'dev-admin-key', role: 'admin', id: 'dev-admin' },
  { key: 'dev-agent-key', role: 'agent', id: 'dev-agent' },
  { key: 'dev-viewer-key', role: 'viewer', id: 'dev-viewer' },
];

const sha256 = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** A stable, non-secret name for a key: enough to tell keys apart in logs, useless to an attacker. */
export function keyId(key: string): string {
  return `key-${sha256(key).toString('hex').slice(0, 8)}`;
}

/** Parses `ORCH_API_KEYS` (`k1:admin,k2:agent`); the config schema has already checked its shape. */
export function parseApiKeys(spec: string): ApiKeyEntry[] {
  const seen = new Set<string>();
  return spec.split(',').map((pair) => {
    const at = pair.lastIndexOf(':');
    const key = pair.slice(0, at).trim();
    const role = pair.slice(at + 1).trim() as Role;
    if (seen.has(key)) throw new ConfigError([`ORCH_API_KEYS: the key ${keyId(key)} is listed twice`]);
    seen.add(key);
    return { id: keyId(key), role, digest: sha256(key) };
  });
}

/**
 * The keys this gateway accepts: the configured ones, or the development keys when none are
 * configured outside production. Production without keys is a configuration error, because a
 * gateway that accepts the published development keys would be open to anyone.
 */
export function resolveApiKeys(spec: string | undefined, nodeEnv: string): { entries: ApiKeyEntry[]; development: boolean } {
  if (spec) return { entries: parseApiKeys(spec), development: false };
  if (nodeEnv === 'production') {
    throw new ConfigError(['ORCH_API_KEYS: required in production (e.g. ORCH_API_KEYS=<secret>:admin,<secret>:agent); the development keys are refused']);
  }
  return { entries: DEV_KEYS.map((k) => ({ id: k.id, role: k.role, digest: sha256(k.key) })), development: true };
}

/**
 * Looks a presented key up in constant time: the key is hashed to a fixed length and compared
 * with every entry, without stopping at a match, so timing reveals neither prefix nor position.
 */
export class KeyRing {
  constructor(
    private readonly entries: readonly ApiKeyEntry[],
    /** Verifies per-agent keys (`agt_<agentId>.<hmac>`) issued by the agent manager; null disables them. */
    private readonly agentKeySecret: string | null = agentKeySecretFrom(process.env),
  ) {}

  authenticate(presented: string): Principal | null {
    const agent = presented.startsWith(AGENT_KEY_PREFIX) ? this.authenticateAgent(presented) : null;
    if (agent) return agent;
    const digest = sha256(presented);
    let found: ApiKeyEntry | null = null;
    for (const entry of this.entries) {
      if (timingSafeEqual(digest, entry.digest) && !found) found = entry;
    }
    if (!found) return null;
    return { keyId: found.id, role: found.role, actor: { kind: found.role === 'agent' ? 'agent' : 'human', id: found.id, role: found.role } };
  }

  /** An agent's own key: role `agent`, and the actor is the agent itself (its id in every event it causes). */
  private authenticateAgent(presented: string): Principal | null {
    const agentId = this.agentKeySecret ? verifyAgentApiKey(presented, this.agentKeySecret) : null;
    if (!agentId) return null;
    return { keyId: `agent-${agentId}`, role: 'agent', actor: { kind: 'agent', id: agentId, role: 'agent' } };
  }
}
