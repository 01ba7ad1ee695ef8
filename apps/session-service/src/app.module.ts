import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigError } from '@orch/config';
import { ProjectionCheckpoints1700000000000 } from '@orch/projections';
import { ServiceKitModule, type Infrastructure, type ServiceSpec } from '@orch/service-kit';
import { SessionLogsModule } from './logs/session-logs.module';
import { AgentLostReactor } from './agent-lost/agent-lost.reactor';
import { ContextRepository, ContextStore } from './context/context-store';
import { OrchestrationSession } from './read-model/entities';
import { SessionReadModel1700000000300 } from './read-model/migrations/1700000000300-session-read-model';
import { SessionReadModel } from './read-model/session-read-model';
import { factsProjection } from './read-model/facts.projection';
import { SessionFacts1700000000301 } from './read-model/migrations/1700000000301-session-facts';
import { sessionProjection } from './read-model/session.projection';
import { TaskFactsReader } from './read-model/task-facts';
import { Briefings } from './sessions/briefings';
import { Collaborators } from './sessions/collaborators';
import { PhaseCommands } from './sessions/phase-commands';
import { SessionKit } from './sessions/session-kit';
import { SessionQueries } from './sessions/session-queries';
import { SessionRepository } from './sessions/session.repository';
import { SessionRpc } from './sessions/session.rpc';
import { SESSION_SCOPE_PROVIDERS } from './sessions/scopes.providers';
import { SessionWrites } from './sessions/session-writes';
import { StartSession } from './sessions/start-session';
import { WORKFLOWS } from './tokens';
import { OrchestrationConfigError } from './workflow/orchestration-config';
import { WorkflowTemplateError } from './workflow/templates';
import { Workflows, type WorkflowSources } from './workflow/workflows';

/**
 * Work sessions: the phase state machine, gates and overrides, instructions, resume briefings,
 * context scoping, time and git tracking (SPEC §4.1), served on `SessionRoutes`.
 */
@Module({})
export class SessionServiceModule {
  static forRoot(infra: Infrastructure, workflows: Workflows): DynamicModule {
    return {
      module: SessionServiceModule,
      imports: [ServiceKitModule.forRoot(infra), SessionLogsModule.forRoot(infra)],
      providers: [
        { provide: WORKFLOWS, useValue: workflows },
        SessionRepository,
        SessionReadModel,
        TaskFactsReader,
        ContextRepository,
        ContextStore,
        Collaborators,
        SessionKit,
        Briefings,
        StartSession,
        PhaseCommands,
        SessionWrites,
        SessionQueries,
        SessionRpc,
        ...SESSION_SCOPE_PROVIDERS,
        AgentLostReactor,
      ],
    };
  }
}

/** The service with its templates from `sources` (tests point at their own), else from env / `config/`. */
export function sessionServiceSpec(sources: WorkflowSources = {}): ServiceSpec {
  return {
    service: 'session-service',
    // Templates load before Nest wires anything: a broken one stops start-up with its file, phase and field.
    module: (infra) => SessionServiceModule.forRoot(infra, loadWorkflows(sources)),
    database: {
      entities: [OrchestrationSession],
      migrations: [ProjectionCheckpoints1700000000000, SessionReadModel1700000000300, SessionFacts1700000000301],
    },
    redis: true,
    projections: [sessionProjection, factsProjection],
  };
}

/** A broken template or config is a configuration error: one clear line at start-up, no retries. */
function loadWorkflows(sources: WorkflowSources): Workflows {
  try {
    return Workflows.load(sources);
  } catch (error) {
    if (error instanceof WorkflowTemplateError || error instanceof OrchestrationConfigError) throw new ConfigError([error.message]);
    throw error;
  }
}

/** What `main.ts` runs, and what the tests start in-process with an isolated environment. */
export const sessionServiceService: ServiceSpec = sessionServiceSpec();
