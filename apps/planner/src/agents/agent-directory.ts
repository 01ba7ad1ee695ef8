import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AgentRoutes, type Actor, type AgentView } from '@orch/contracts';
import { NotFoundError, UnavailableError } from '@orch/errors';
import { RpcClient } from '@orch/messaging';
import { INFRA, type Infrastructure } from '@orch/service-kit';

/** The agent manager is asked briefly: plans and next-task answers degrade rather than wait on it. */
const AGENT_MANAGER_TIMEOUT_MS = 1_500;

/**
 * What the planner needs to know about agents, asked of the agent manager over NATS
 * (`AgentRoutes`). `null` means it did not answer: callers degrade to a warning.
 */
@Injectable()
export class AgentDirectory {
  private readonly rpc: RpcClient;

  constructor(@Inject(INFRA) infra: Infrastructure) {
    this.rpc = new RpcClient(infra.nc, infra.subjects, AGENT_MANAGER_TIMEOUT_MS);
  }

  /** Agents that can take work (not LOST or TERMINATED); null when the agent manager is down. */
  async available(actor: Actor, correlationId: string): Promise<AgentView[] | null> {
    try {
      const { value } = await this.rpc.call(AgentRoutes.listAgents, { limit: 1000 }, { meta: this.meta(actor), correlationId });
      return value.items.filter((a) => a.status !== 'LOST' && a.status !== 'TERMINATED');
    } catch (error) {
      if (error instanceof UnavailableError) return null;
      throw error;
    }
  }

  /** One agent; `undefined` when there is no such agent, null when the agent manager is down. */
  async get(id: string, actor: Actor, correlationId: string): Promise<AgentView | undefined | null> {
    try {
      return (await this.rpc.call(AgentRoutes.getAgent, { id }, { meta: this.meta(actor), correlationId })).value;
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      if (error instanceof UnavailableError) return null;
      throw error;
    }
  }

  private meta(actor: Actor) {
    return { actor, commandId: randomUUID(), issuedAt: new Date().toISOString() };
  }
}
