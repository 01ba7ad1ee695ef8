import type { Provider } from '@nestjs/common';
import { AgentDirectory } from '../agents/agent-directory';
import { LearnedEstimates } from '../estimates/learned-estimates';
import { PlanReadModel } from '../read-model/plan-read-model';
import { loadPlannerSettings, PLANNER_SETTINGS, plannerSettingsFile } from '../settings/planner-settings';
import { AcceptPlanHandler } from './accept-plan';
import { CreatePlanHandler } from './create-plan';
import { PlanRepository } from './plan.repository';
import { PlanRpc } from './plan.rpc';
import { GetPlanHandler, ListPlansHandler, ListTemplatesHandler, ValidateDagHandler } from './plan.queries';
import { DECOMPOSER } from './templates/decomposer';
import { decomposerNamed } from './templates/decomposers';

/**
 * Plans: settings and templates are loaded (and validated) here, at start-up, so a mistake in
 * `config/plans/*.yaml` stops the planner with a message naming the file and the step.
 */
export function planProviders(): Provider[] {
  const settings = loadPlannerSettings();
  return [
    { provide: PLANNER_SETTINGS, useValue: settings },
    // The decomposer port: the one `plans.decomposer` names; a test (or an app) may bind another to DECOMPOSER.
    { provide: DECOMPOSER, useValue: decomposerNamed(settings.plans.decomposer, plannerSettingsFile()) },
    AgentDirectory,
    LearnedEstimates,
    PlanRepository,
    PlanReadModel,
    PlanRpc,
    CreatePlanHandler,
    AcceptPlanHandler,
    GetPlanHandler,
    ListPlansHandler,
    ListTemplatesHandler,
    ValidateDagHandler,
  ];
}
