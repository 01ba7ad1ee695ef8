import { Module, type DynamicModule } from '@nestjs/common';
import { ProjectionCheckpoints1700000000000 } from '@orch/projections';
import { ServiceKitModule, type Infrastructure, type ServiceSpec } from '@orch/service-kit';
import { AgentRepository } from './agents/agent.repository';
import { AgentRpc } from './agents/agent.rpc';
import { AgentRegistry } from './agents/registry';
import { Assigner } from './assignment/assigner';
import { AssignmentSignals } from './assignment/assignment-signals';
import { Assignments } from './assignment/assignments';
import { SprintBudget } from './assignment/budget';
import { Dispatcher } from './assignment/dispatcher';
import { PlannerClient } from './assignment/planner-client';
import { TaskLookup } from './assignment/task-lookup';
import { TypeQuota } from './assignment/type-quota';
import { loadAgentTypes } from './config/agent-types';
import { loadSettings, type AgentManagerSettings } from './config/settings';
import { LivenessStore } from './liveness/liveness-store';
import { LivenessSweeper } from './liveness/sweeper';
import { agentProjection } from './read-model/agent.projection';
import { AgentReadModel } from './read-model/agent-read-model';
import { AgentRoster } from './read-model/agent-roster';
import { AgentReadModel1700000000500 } from './read-model/migrations/1700000000500-agent-read-model';
import { Spawner } from './spawning/spawner';
import { Budgets } from './budgets/budgets';
import { BudgetsRpc } from './budgets/budgets.rpc';
import { Allocator } from './resources/allocator';
import { LogLookup } from './resources/log-lookup';
import { loadResourcesConfig } from './resources/resources-config';
import { ResourcesRpc } from './resources/resources.rpc';
import { SlotRelease } from './resources/slot-release';
import { RESOURCES_CONFIG } from './resources/tokens';
import { AGENT_TYPES, SETTINGS } from './tokens';

/**
 * Agent registry, heartbeats and liveness, capability matching, assignment, quotas and spawning
 * (SPEC §4.3). Agent types come from `config/agents.yaml`, validated before anything starts.
 */
@Module({})
export class AgentManagerModule {
  static forRoot(infra: Infrastructure, settings: AgentManagerSettings): DynamicModule {
    const types = loadAgentTypes(settings.agentsConfig);
    for (const warning of types.warnings) infra.logger.warn(`${types.source}: ${warning}`);
    const resources = loadResourcesConfig(settings.resourcesConfig);
    return {
      module: AgentManagerModule,
      imports: [ServiceKitModule.forRoot(infra)],
      providers: [
        { provide: AGENT_TYPES, useValue: types },
        { provide: SETTINGS, useValue: settings },
        { provide: RESOURCES_CONFIG, useValue: resources },
        LogLookup,
        Allocator,
        SlotRelease,
        ResourcesRpc,
        Budgets,
        BudgetsRpc,
        AgentRepository,
        AgentReadModel,
        AgentRoster,
        LivenessStore,
        AgentRegistry,
        LivenessSweeper,
        TaskLookup,
        PlannerClient,
        SprintBudget,
        TypeQuota,
        AssignmentSignals,
        Assigner,
        Assignments,
        Dispatcher,
        Spawner,
        AgentRpc,
      ],
    };
  }
}

/** The service with settings from `env` (tests pass their own: short timeouts, their own config file). */
export function agentManagerSpec(env: NodeJS.ProcessEnv = process.env): ServiceSpec {
  const settings = loadSettings(env);
  loadAgentTypes(settings.agentsConfig); // a broken file stops start-up before any connection opens
  loadResourcesConfig(settings.resourcesConfig);
  return {
    service: 'agent-manager',
    module: (infra) => AgentManagerModule.forRoot(infra, settings),
    database: { entities: [], migrations: [ProjectionCheckpoints1700000000000, AgentReadModel1700000000500] },
    redis: true,
    projections: [agentProjection],
  };
}

/** What `main.ts` runs; settings are read when it starts, so a bad file is a clean start-up error. */
export const agentManagerService: ServiceSpec = {
  service: 'agent-manager',
  module: (infra) => AgentManagerModule.forRoot(infra, loadSettings(process.env)),
  database: { entities: [], migrations: [ProjectionCheckpoints1700000000000, AgentReadModel1700000000500] },
  redis: true,
  projections: [agentProjection],
};
