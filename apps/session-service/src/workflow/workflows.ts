import { join } from 'node:path';
import type { PhaseTemplate, WorkflowTemplate } from './templates';
import { findConfigDir, loadTemplates, templateFor } from './templates';
import { loadOrchestrationConfig, type OrchestrationConfig } from './orchestration-config';
import { gateOf, type Gate } from '../sessions/gate';
import type { PhasePolicy } from '../sessions/session.decide';

export interface WorkflowSources {
  /** Directory of the templates (env WORKFLOWS_DIR; default `config/workflows`). */
  workflowsDir?: string;
  /** The behaviour file (env ORCH_CONFIG_FILE; default `config/orchestration.yaml`). */
  configFile?: string;
}

/**
 * The templates and the config, loaded and checked once at start-up: a broken template stops the
 * service with an error naming file, phase and field, instead of failing the first session.
 */
export class Workflows {
  private constructor(
    readonly templates: Map<string, WorkflowTemplate>,
    readonly config: OrchestrationConfig,
  ) {}

  static load(sources: WorkflowSources = {}, env: NodeJS.ProcessEnv = process.env): Workflows {
    const configDir = findConfigDir();
    const config = loadOrchestrationConfig(sources.configFile ?? env.ORCH_CONFIG_FILE ?? join(configDir, 'orchestration.yaml'));
    const templates = loadTemplates(sources.workflowsDir ?? env.WORKFLOWS_DIR ?? join(configDir, 'workflows'), config.workflow.default_template);
    return new Workflows(templates, config);
  }

  forTaskType(type: string | null | undefined): WorkflowTemplate {
    return templateFor(this.templates, type, this.config.workflow.default_template);
  }

  /** The template a session was started with (kept by name in its first event). */
  byName(name: string): WorkflowTemplate {
    return this.templates.get(name) ?? this.forTaskType(null);
  }

  phase(template: string, phase: string): PhaseTemplate | undefined {
    return this.byName(template).phases.find((p) => p.name === phase);
  }

  gate(template: string, phase: string): Gate {
    const p = this.phase(template, phase);
    const check = this.config.workflow.require_artifact_validation;
    return p ? gateOf(p, check) : { phase, requiredArtifacts: [], requiredFields: [], checkArtifacts: check };
  }

  get policy(): PhasePolicy {
    return { allowPhaseSkip: this.config.workflow.allow_phase_skip, allowOverride: this.config.workflow.allow_user_override };
  }
}
