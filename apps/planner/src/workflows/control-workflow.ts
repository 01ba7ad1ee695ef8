import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { WorkflowView } from '@orch/contracts';
import type { CommandMeta } from '@orch/event-store';
import type { HandlerResult } from '@orch/messaging';
import { decide } from './workflow';
import { WorkflowReadModel } from './workflow-read-model';
import { WorkflowRepository } from './workflow.repository';
import { workflowStatus } from './workflow-status';

/** Pause, resume and cancel come from callers; the process manager completes. */
export type WorkflowControl = 'PauseWorkflow' | 'ResumeWorkflow' | 'CancelWorkflow' | 'CompleteWorkflow';

export class ControlWorkflow extends Command<HandlerResult<WorkflowView>> {
  constructor(
    readonly id: string,
    readonly control: WorkflowControl,
    readonly reason: string | null,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}

/** Pause (no new READY → ASSIGNED moves), resume, cancel: each a no-op when already in that state. */
@CommandHandler(ControlWorkflow)
export class ControlWorkflowHandler implements ICommandHandler<ControlWorkflow> {
  constructor(
    private readonly workflows: WorkflowRepository,
    private readonly readModel: WorkflowReadModel,
  ) {}

  async execute({ id, control, reason, meta }: ControlWorkflow): Promise<HandlerResult<WorkflowView>> {
    const result = await this.workflows.execute(id, meta, (s) => decide(control === 'CompleteWorkflow' ? { type: control, id } : { type: control, id, reason }, s));
    const w = result.state!;
    return { value: workflowStatus(w, await this.readModel.tasks(w.taskCodes), await this.readModel.attempts(id), new Date()), seq: result.seq };
  }
}
