import { Injectable } from '@nestjs/common';
import { WorkflowReadModel } from './workflow-read-model';
import { WorkflowRepository } from './workflow.repository';

/**
 * Answers "is this task held by a paused workflow?" for the READY → ASSIGNED move: membership
 * from the process manager's table, the status from the workflow aggregate itself (not a read
 * model), so a pause acknowledged to its caller holds for the very next assignment.
 */
@Injectable()
export class WorkflowGate {
  constructor(
    private readonly readModel: WorkflowReadModel,
    private readonly workflows: WorkflowRepository,
  ) {}

  async pausedWorkflowOf(taskCode: string): Promise<string | null> {
    for (const id of await this.readModel.workflowsOf(taskCode)) {
      if ((await this.workflows.load(id)).state?.status === 'PAUSED') return id;
    }
    return null;
  }
}
