import { Injectable } from '@nestjs/common';
import { WorkflowReadModel } from './workflow-read-model';
import { WorkflowRepository } from './workflow.repository';

/**
 * Answers "is this task held by a paused or cancelled workflow?" for a move that starts work
 * (ASSIGNED, or IN_PROGRESS straight from READY as a session start does): membership from the
 * process manager's table, the status from the workflow aggregate itself (not a read model), so a
 * pause acknowledged to its caller holds for the very next start. A cancelled workflow holds its
 * tasks only while no running workflow (a later one over the same sprint) has taken them up.
 */
@Injectable()
export class WorkflowGate {
  constructor(
    private readonly readModel: WorkflowReadModel,
    private readonly workflows: WorkflowRepository,
  ) {}

  async holdingWorkflowOf(taskCode: string): Promise<{ workflowId: string; status: 'PAUSED' | 'CANCELLED' } | null> {
    // COMPLETED and CANCELLED are final, so the read model's word is enough; a RUNNING or PAUSED
    // one is read from its events, where a pause just acknowledged already shows.
    const member = await this.readModel.workflowsOf(taskCode);
    const states = await Promise.all(
      member.filter((w) => w.status !== 'COMPLETED').map(async (w) => ({ workflowId: w.id, status: w.status === 'CANCELLED' ? w.status : (await this.workflows.load(w.id)).state?.status })),
    );
    const paused = states.find((s) => s.status === 'PAUSED');
    if (paused) return { workflowId: paused.workflowId, status: 'PAUSED' };
    const cancelled = states.find((s) => s.status === 'CANCELLED');
    if (cancelled && !states.some((s) => s.status === 'RUNNING')) return { workflowId: cancelled.workflowId, status: 'CANCELLED' };
    return null;
  }
}
