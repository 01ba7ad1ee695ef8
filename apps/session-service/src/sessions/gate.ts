import type { MissingItemView } from '@orch/contracts';
import type { PhaseTemplate } from '../workflow/templates';
import type { Session } from './session';

/** What a phase demands of a session before it may complete (from the template and the config). */
export interface Gate {
  phase: string;
  requiredArtifacts: string[];
  requiredFields: string[];
  /** `workflow.require_artifact_validation`: when false, artifacts are not checked. */
  checkArtifacts: boolean;
}

export const gateOf = (phase: PhaseTemplate, checkArtifacts: boolean): Gate => ({
  phase: phase.name,
  requiredArtifacts: phase.requiredArtifacts,
  requiredFields: phase.requiredFields,
  checkArtifacts,
});

/** Each missing item with a hint a person (or an agent) can act on; `fields` are the ones given with the command. */
export function missingFor(session: Session, gate: Gate, fields: Record<string, string> = {}): MissingItemView[] {
  const missing: MissingItemView[] = [];
  if (gate.checkArtifacts) {
    for (const name of gate.requiredArtifacts) {
      if (!session.artifacts[name]) missing.push({ kind: 'artifact', name, hint: `register it: orch artifact ${name} ./${name}` });
    }
  }
  for (const name of gate.requiredFields) {
    const value = fields[name] ?? session.fields[name];
    if (value === undefined || value.trim() === '') missing.push({ kind: 'field', name, hint: `give it: orch phase-complete --field ${name}="…"` });
  }
  return missing;
}
