import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { PlannerRoutes, type Subjects, type UpdateTaskBody } from '@orch/contracts';
import { RpcClient } from '@orch/messaging';
import { NATS, SUBJECTS } from '@orch/service-kit';

/** Task commands on the planner's existing route, as the agent manager (a system actor). */
@Injectable()
export class PlannerClient {
  private readonly rpc: RpcClient;

  constructor(@Inject(NATS) nc: NatsConnection, @Inject(SUBJECTS) subjects: Subjects) {
    this.rpc = new RpcClient(nc, subjects, 5_000);
  }

  /**
   * `expectedVersion` makes the planner answer 412 when the task moved since we read it (someone
   * else assigned it); the command id makes a retry of the same decision idempotent.
   */
  async updateTask(code: string, changes: UpdateTaskBody, expectedVersion: number, commandId: string): Promise<void> {
    await this.rpc.call(PlannerRoutes.updateTask, { code, changes }, {
      meta: { actor: { kind: 'system', id: 'agent-manager' }, commandId, issuedAt: new Date().toISOString(), expectedVersion },
      correlationId: randomUUID(),
    });
  }
}
