import { z } from 'zod';
import { commandRoute, queryRoute } from '../common/rpc';
import { BudgetParams, BudgetUsageBody, BudgetUsageReply, BudgetView, SetBudgetBody } from './budgets';
import { HostView, QuotasReply, RegisterHostBody, ResourcesView, SetQuotasBody } from './resources';

/** Budgets live in the agent manager, beside the agents that spend them. */
export const BudgetRoutes = {
  setBudget: commandRoute('agent-manager', 'budgets.set', z.object({ params: BudgetParams, body: SetBudgetBody }), BudgetView),
  reportUsage: commandRoute('agent-manager', 'budgets.usage', z.object({ params: BudgetParams, body: BudgetUsageBody }), BudgetUsageReply),
  getBudget: queryRoute('agent-manager', 'budgets.get', BudgetParams, BudgetView),
} as const;

/** The resource pool and its allocator (spawning itself is `AgentRoutes.spawnAgent`). */
export const ResourceRoutes = {
  getResources: queryRoute('agent-manager', 'resources.get', z.object({}), ResourcesView),
  registerHost: commandRoute('agent-manager', 'resources.hosts.register', RegisterHostBody, HostView),
  setQuotas: commandRoute('agent-manager', 'resources.quotas.set', SetQuotasBody, QuotasReply),
} as const;
