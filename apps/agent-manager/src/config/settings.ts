import { join } from 'node:path';
import { z } from 'zod';
import { loadConfig } from '@orch/config';
import { agentKeySecretFrom } from '@orch/contracts';
import { ConfigError } from '@orch/config';

const ms = z.coerce.number().int().min(10);

/** The agent manager's own variables (on top of the base every service reads). */
export const AgentManagerEnv = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  AGENTS_CONFIG: z.string().min(1).default(join(process.cwd(), 'config', 'agents.yaml')),
  /** Hosts of the resource pool and the allocation policy. */
  RESOURCES_CONFIG: z.string().min(1).default(join(process.cwd(), 'config', 'resources.yaml')),
  /** How often the liveness sweeper looks for silent agents. */
  AGENT_SWEEP_MS: ms.default(1_000),
  /** How often READY tasks that found no agent are tried again (besides every event that frees one). */
  AGENT_ASSIGN_SCAN_MS: ms.default(1_000),
  /** SIGTERM, then SIGKILL after this long, when a spawned agent is terminated. */
  AGENT_KILL_GRACE_MS: ms.default(5_000),
  /** The gateway URL a spawned agent is given as ORCH_URL. */
  ORCH_URL: z.string().url().optional(),
  GATEWAY_PORT: z.coerce.number().int().default(3000),
  /** Overrides each type's timeouts (tests use short ones). */
  AGENT_STALE_AFTER_MS: ms.optional(),
  AGENT_LOST_AFTER_MS: ms.optional(),
  /** Overrides the file's sprint budget. */
  AGENT_SPRINT_BUDGET: z.coerce.number().min(0).optional(),
  /** Off switch for automatic assignment (matching and long-poll still work). */
  AGENT_AUTO_ASSIGN: z.enum(['on', 'off']).default('on'),
});

export interface AgentManagerSettings {
  agentsConfig: string;
  resourcesConfig: string;
  sweepMs: number;
  assignScanMs: number;
  killGraceMs: number;
  orchUrl: string;
  keySecret: string;
  staleAfterMs?: number;
  lostAfterMs?: number;
  sprintBudget?: number;
  autoAssign: boolean;
}

export function loadSettings(env: NodeJS.ProcessEnv): AgentManagerSettings {
  const e = loadConfig(AgentManagerEnv, env);
  const keySecret = agentKeySecretFrom(env);
  if (!keySecret) throw new ConfigError(['AGENT_KEY_SECRET: required in production (the gateway verifies agent keys with it)']);
  return {
    agentsConfig: e.AGENTS_CONFIG,
    resourcesConfig: e.RESOURCES_CONFIG,
    sweepMs: e.AGENT_SWEEP_MS,
    assignScanMs: e.AGENT_ASSIGN_SCAN_MS,
    killGraceMs: e.AGENT_KILL_GRACE_MS,
    orchUrl: e.ORCH_URL ?? `http://127.0.0.1:${e.GATEWAY_PORT}`,
    keySecret,
    staleAfterMs: e.AGENT_STALE_AFTER_MS,
    lostAfterMs: e.AGENT_LOST_AFTER_MS,
    sprintBudget: e.AGENT_SPRINT_BUDGET,
    autoAssign: e.AGENT_AUTO_ASSIGN === 'on',
  };
}
