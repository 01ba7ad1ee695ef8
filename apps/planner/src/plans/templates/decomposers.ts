import { ConfigError } from '@orch/config';
import { templatesDir } from '../../settings/planner-settings';
import type { Decomposer } from './decomposer';
import { TemplateDecomposer } from './template-decomposer';
import { loadTemplates } from './template-loader';

/**
 * The decomposers the planner can be configured with (`plans.decomposer` in config/planner.yaml),
 * by name. Each is built only when chosen, so an LLM one's client is not created for nothing.
 * Another implementation plugs in by adding an entry here (or by binding DECOMPOSER directly).
 */
export const DECOMPOSERS: Readonly<Record<string, () => Decomposer>> = {
  template: () => new TemplateDecomposer(loadTemplates(templatesDir())),
};

/** The configured decomposer; an unknown name stops the planner at start-up, naming the known ones. */
export function decomposerNamed(name: string, settingsFile = 'config/planner.yaml', known = DECOMPOSERS): Decomposer {
  const make = known[name];
  if (!make) throw new ConfigError([`${settingsFile}: plans.decomposer: unknown decomposer "${name}"; known: ${Object.keys(known).sort().join(', ')}`]);
  return make();
}
