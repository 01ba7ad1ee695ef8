import { z } from 'zod';
import { SprintCode, TaskCode } from '../common/ids';
import { commandRoute, queryRoute } from '../common/rpc';
import { CreateSprintBody, ListSprintsQuery, SprintPage, SprintView, UpdateSprintBody } from './sprint';
import { CreateTaskBody, ListTasksQuery, TaskPage, TaskView, UpdateTaskBody } from './task';

/** The planner's request/reply surface; the gateway and the planner both validate with these. */
export const PlannerRoutes = {
  createSprint: commandRoute('planner', 'sprint.create', CreateSprintBody, SprintView),
  updateSprint: commandRoute('planner', 'sprint.update', z.object({ code: SprintCode, changes: UpdateSprintBody }), SprintView),
  getSprint: queryRoute('planner', 'sprint.get', z.object({ code: SprintCode }), SprintView),
  listSprints: queryRoute('planner', 'sprint.list', ListSprintsQuery, SprintPage),
  createTask: commandRoute('planner', 'task.create', CreateTaskBody, TaskView),
  updateTask: commandRoute('planner', 'task.update', z.object({ code: TaskCode, changes: UpdateTaskBody }), TaskView),
  getTask: queryRoute('planner', 'task.get', z.object({ code: TaskCode }), TaskView),
  listTasks: queryRoute('planner', 'task.list', ListTasksQuery, TaskPage),
} as const;
