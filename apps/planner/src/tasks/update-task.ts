import { CommandHandler, Command, type ICommandHandler } from '@nestjs/cqrs';
import type { TaskView, UpdateTaskBody } from '@orch/contracts';
import type { CommandMeta } from '@orch/event-store';
import type { HandlerResult } from '@orch/messaging';
import { TaskReadModel } from '../read-model/task-read-model';
import { taskViewFromState } from '../read-model/views';
import { decide } from './task';
import { TaskFactsReader } from './task-facts';
import { TaskRepository } from './task.repository';
import { WorkflowGate } from '../workflows/workflow-gate';

export class UpdateTask extends Command<HandlerResult<TaskView>> {
  constructor(
    readonly code: string,
    readonly body: UpdateTaskBody,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}

@CommandHandler(UpdateTask)
export class UpdateTaskHandler implements ICommandHandler<UpdateTask> {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly facts: TaskFactsReader,
    private readonly readModel: TaskReadModel,
    private readonly gate: WorkflowGate,
  ) {}

  async execute({ code, body, meta }: UpdateTask): Promise<HandlerResult<TaskView>> {
    const { status, reason, ...changes } = body;
    // Facts about other aggregates are advisory (no cross-aggregate transaction): read them from
    // the task as it is now; the write itself is still guarded by the task's expected sequence.
    // The reads that do not depend on the task go out together with its load: fewer round trips
    // one after another on the assignment path.
    const metadata = this.readModel.metadataOf(code); // the read model's session state, for the answer
    // Only a move that may start work (ASSIGNED, IN_PROGRESS) asks whether a workflow holds the task.
    const [loaded, heldBy] = await Promise.all([
      this.tasks.loadExpecting(code, meta.expectedVersion),
      status === 'ASSIGNED' || status === 'IN_PROGRESS' ? this.gate.holdingWorkflowOf(code) : null,
      metadata,
    ]);
    const facts = await this.facts.gather(code, {
      sprintCode: changes.sprintCode,
      dependsOn: changes.dependsOn ?? loaded.state?.dependsOn ?? [],
      newDependencies: changes.dependsOn,
    });
    facts.heldBy = heldBy;
    const result = await this.tasks.execute(code, meta, (state) => decide({ type: 'UpdateTask', code, changes, status, reason, facts }, state));
    return { value: taskViewFromState(result.state!, await metadata), seq: result.seq };
  }
}
