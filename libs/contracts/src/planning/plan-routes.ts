import { commandRoute, queryRoute } from '../common/rpc';
import { AcceptPlanBody, CreatePlanBody, ListPlansQuery, PlanAnalysis, PlanId, PlanIdParams, PlanPage, PlanView, TemplateList, ValidateDagBody } from './plan';
import { ListWorkflowsQuery, NextTaskQuery, NextTaskReply, StartWorkflowBody, WorkflowControlBody, WorkflowIdParams, WorkflowPage, WorkflowView } from './workflow';
import { z } from 'zod';

const Control = WorkflowIdParams.extend({ body: WorkflowControlBody });

/** Plans, workflows and the next-task query: the planner's routes beyond sprints and tasks. */
export const PlanRoutes = {
  createPlan: commandRoute('planner', 'plan.create', CreatePlanBody, PlanView),
  getPlan: queryRoute('planner', 'plan.get', PlanIdParams, PlanView),
  listPlans: queryRoute('planner', 'plan.list', ListPlansQuery, PlanPage),
  listTemplates: queryRoute('planner', 'plan.templates', z.strictObject({}), TemplateList),
  validateDag: queryRoute('planner', 'plan.validate', ValidateDagBody, PlanAnalysis),
  acceptPlan: commandRoute('planner', 'plan.accept', z.object({ id: PlanId, body: AcceptPlanBody }), PlanView),
  startWorkflow: commandRoute('planner', 'workflow.start', StartWorkflowBody, WorkflowView),
  getWorkflow: queryRoute('planner', 'workflow.get', WorkflowIdParams, WorkflowView),
  listWorkflows: queryRoute('planner', 'workflow.list', ListWorkflowsQuery, WorkflowPage),
  pauseWorkflow: commandRoute('planner', 'workflow.pause', Control, WorkflowView),
  resumeWorkflow: commandRoute('planner', 'workflow.resume', Control, WorkflowView),
  cancelWorkflow: commandRoute('planner', 'workflow.cancel', Control, WorkflowView),
  nextTask: queryRoute('planner', 'task.next', NextTaskQuery, NextTaskReply),
} as const;
