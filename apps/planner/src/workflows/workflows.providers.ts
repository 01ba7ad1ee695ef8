import type { Provider } from '@nestjs/common';
import { NextTaskHandler } from '../tasks/next-task';
import { ControlWorkflowHandler } from './control-workflow';
import { WorkflowProcessManager } from './process-manager';
import { RetryPoller } from './retry-poller';
import { WorkflowCommands } from './workflow-commands';
import { StartWorkflowHandler } from './start-workflow';
import { WorkflowGate } from './workflow-gate';
import { WorkflowReadModel } from './workflow-read-model';
import { WorkflowRepository } from './workflow.repository';
import { GetWorkflowHandler, ListWorkflowsHandler } from './workflow.queries';
import { WorkflowRpc } from './workflow.rpc';

/** Workflows (aggregate, read model, process manager) and the next-task query that respects them. */
export function workflowProviders(): Provider[] {
  return [
    WorkflowRepository,
    WorkflowReadModel,
    WorkflowGate,
    WorkflowRpc,
    StartWorkflowHandler,
    ControlWorkflowHandler,
    GetWorkflowHandler,
    ListWorkflowsHandler,
    WorkflowCommands,
    WorkflowProcessManager,
    RetryPoller,
    NextTaskHandler,
  ];
}
