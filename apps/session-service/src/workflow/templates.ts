import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { repoConfigDir } from '@orch/config';
import { issueField } from './issue-path';

/** Hooks the CLI knows how to run; anything else in a template is a typo. */
export const KNOWN_HOOKS = ['git.capture_commit_hash', 'git.capture_final_commit', 'git.diff_summary', 'files.sync'] as const;

const FileName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be a file name such as PLAN.md');
const Hooks = z.array(z.enum(KNOWN_HOOKS, { message: `must be one of ${KNOWN_HOOKS.join(', ')}` }));

const PhaseYaml = z.strictObject({
  order: z.number({ message: 'must be a whole number (the position of the phase)' }).int().min(1),
  goal: z.string({ message: 'must be text' }).min(1, 'must not be empty'),
  description: z.string({ message: 'must be text' }).default(''),
  artifacts: z.strictObject({ required: z.array(FileName).default([]), optional: z.array(FileName).default([]) }).default({ required: [], optional: [] }),
  validation: z.strictObject({ required_fields: z.array(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a field name such as summary')).default([]) }).default({ required_fields: [] }),
  events: z.array(z.string()).default([]),
  hooks: z.strictObject({ on_start: Hooks.default([]), on_end: Hooks.default([]) }).default({ on_start: [], on_end: [] }),
  next_step: z.string({ message: 'must be text' }).min(1, 'must not be empty'),
});

const TemplateYaml = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be a lower-case word such as bug_fix'),
  description: z.string().default(''),
  task_types: z.array(z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be a task type such as bug_fix')).default([]),
  phases: z.record(z.string().regex(/^[a-z][a-z_]{0,31}$/, 'must be a lower-case phase name such as execute'), z.unknown()).refine((p) => Object.keys(p).length > 0, 'must name at least one phase'),
});

export interface PhaseTemplate {
  name: string; // upper-case, as the API shows it
  order: number;
  goal: string;
  description: string;
  requiredArtifacts: string[];
  optionalArtifacts: string[];
  requiredFields: string[];
  events: string[];
  /** The declared events besides start and end (`step_complete` of `execute.step_complete`): what `orch update --event` may emit. */
  customEvents: string[];
  onStart: string[];
  onEnd: string[];
  nextStep: string;
}

export interface WorkflowTemplate {
  name: string;
  file: string;
  description: string;
  taskTypes: string[];
  phases: PhaseTemplate[];
}

/** A template that cannot be used: names the file, the phase and the field, so one edit fixes it. */
export class WorkflowTemplateError extends Error {
  override name = 'WorkflowTemplateError';
  constructor(
    readonly file: string,
    readonly phase: string | null,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`Invalid workflow template ${file}${phase ? `, phase "${phase}"` : ''}, field "${field}": ${problem}`);
  }
}

function fail(file: string, phase: string | null, error: z.ZodError): never {
  const { field, message } = issueField(error.issues[0]!);
  throw new WorkflowTemplateError(file, phase, field, message);
}

/**
 * A phase's `events` (the seeds' `[execute.start, execute.step_complete, execute.end]`) are its
 * own, `<phase>.<name>`: start and end are emitted by every phase change (a list that names
 * events names them too), the others by an agent while in the phase. Returns the others.
 */
function checkEvents(file: string, phase: string, events: string[]): string[] {
  events.forEach((e, i) => {
    const m = /^([a-z_]+)\.([a-z][a-z0-9_]{0,39})$/.exec(e);
    if (!m || m[1] !== phase) throw new WorkflowTemplateError(file, phase, `events.${i}`, `must be "${phase}.<name>" such as ${phase}.step_complete, got "${e}"`);
  });
  for (const must of ['start', 'end']) {
    if (events.length && !events.includes(`${phase}.${must}`)) throw new WorkflowTemplateError(file, phase, 'events', `must list ${phase}.${must}: every phase change emits it`);
  }
  return events.map((e) => e.slice(phase.length + 1)).filter((n) => n !== 'start' && n !== 'end');
}

/** Parses and checks one template file. */
export function parseTemplate(text: string, file: string): WorkflowTemplate {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new WorkflowTemplateError(file, null, '(yaml)', (error as Error).message.split('\n')[0]!);
  }
  const top = TemplateYaml.safeParse(raw);
  if (!top.success) fail(file, null, top.error);
  const phases: PhaseTemplate[] = [];
  for (const [key, value] of Object.entries(top.data.phases)) {
    const p = PhaseYaml.safeParse(value);
    if (!p.success) fail(file, key, p.error);
    const d = p.data;
    phases.push({
      name: key.toUpperCase(),
      order: d.order,
      goal: d.goal,
      description: d.description.trim(),
      requiredArtifacts: d.artifacts.required,
      optionalArtifacts: d.artifacts.optional,
      requiredFields: d.validation.required_fields,
      events: d.events,
      customEvents: checkEvents(file, key, d.events),
      onStart: d.hooks.on_start,
      onEnd: d.hooks.on_end,
      nextStep: d.next_step.trim(),
    });
  }
  phases.sort((a, b) => a.order - b.order);
  phases.forEach((p, i) => {
    if (p.order !== i + 1) throw new WorkflowTemplateError(file, p.name.toLowerCase(), 'order', `must be ${i + 1}: orders run 1, 2, 3… without gaps or repeats`);
  });
  if (top.data.name !== basename(file).replace(/\.ya?ml$/, '')) throw new WorkflowTemplateError(file, null, 'name', `must be "${basename(file).replace(/\.ya?ml$/, '')}", the file's name`);
  return { name: top.data.name, file, description: top.data.description, taskTypes: top.data.task_types, phases };
}

/** Every template of a directory, keyed by name; `default` must be one of them. */
export function loadTemplates(dir: string, defaultName = 'default'): Map<string, WorkflowTemplate> {
  if (!existsSync(dir)) throw new WorkflowTemplateError(dir, null, '(directory)', 'does not exist (set WORKFLOWS_DIR)');
  const templates = new Map<string, WorkflowTemplate>();
  const claimed = new Map<string, string>();
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  for (const f of files) {
    const rel = relative(process.cwd(), dir);
    const file = rel.startsWith('..') ? join(dir, f) : join(rel || '.', f);
    const template = parseTemplate(readFileSync(join(dir, f), 'utf8'), file);
    for (const type of template.taskTypes) {
      const other = claimed.get(type);
      if (other) throw new WorkflowTemplateError(file, null, 'task_types', `"${type}" is claimed by ${other} too`);
      claimed.set(type, file);
    }
    templates.set(template.name, template);
  }
  if (!templates.has(defaultName)) throw new WorkflowTemplateError(join(dir, `${defaultName}.yaml`), null, '(file)', `the default template "${defaultName}" is missing`);
  return templates;
}

/** The template of a task type: the one that lists it, else the default. */
export function templateFor(templates: Map<string, WorkflowTemplate>, taskType: string | null | undefined, defaultName = 'default'): WorkflowTemplate {
  for (const t of templates.values()) if (taskType && t.taskTypes.includes(taskType)) return t;
  return (taskType && templates.get(taskType)) || templates.get(defaultName)!;
}

/** The repository's `config/` directory (the one holding orchestration.yaml). */
export function findConfigDir(): string {
  return repoConfigDir('orchestration.yaml') ?? join(process.cwd(), 'config');
}
