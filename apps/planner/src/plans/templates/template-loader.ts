import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError } from '@orch/config';
import { zodIssues } from '@orch/errors';
import { TemplateFile } from './template-schema';

/** Templates that failed to load: every problem, each naming its file and step. */
export class TemplateError extends ConfigError {
  constructor(problems: string[]) {
    super(problems);
    this.name = 'TemplateError';
    this.message = `Invalid plan templates:\n${problems.map((p) => `  - ${p}`).join('\n')}`;
  }
}

export const PLACEHOLDER = /\{([a-z][a-z0-9_]*)\}/g;

/** The validated templates by name. Immutable after loading. */
export class TemplateLibrary {
  constructor(readonly templates: ReadonlyMap<string, TemplateFile>) {}

  get(name: string): TemplateFile | undefined {
    return this.templates.get(name);
  }

  names(): string[] {
    return [...this.templates.keys()].sort();
  }
}

/** Loads and checks every `*.yaml` in `dir`; throws a TemplateError listing all problems at once. */
export function loadTemplates(dir: string, root = dir): TemplateLibrary {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  } catch (error) {
    throw new TemplateError([`${dir}: cannot read the plan templates directory (${(error as Error).message})`]);
  }
  if (files.length === 0) throw new TemplateError([`${dir}: no plan templates (*.yaml) found`]);
  const problems: string[] = [];
  const templates = new Map<string, TemplateFile>();
  const fileOf = new Map<string, string>();
  for (const file of files) {
    const where = relative(root, join(dir, file)) || file;
    const parsed = parseTemplate(readFileSync(join(dir, file), 'utf8'), where, problems);
    if (!parsed) continue;
    if (parsed.name !== basename(file).replace(/\.ya?ml$/, '')) problems.push(`${where}: name "${parsed.name}" must match the file name`);
    templates.set(parsed.name, parsed);
    fileOf.set(parsed.name, where);
  }
  for (const [name, t] of templates) checkTemplate(t, fileOf.get(name)!, templates, problems);
  checkRecursion(templates, fileOf, problems);
  if (problems.length > 0) throw new TemplateError(problems);
  return new TemplateLibrary(templates);
}

/** YAML syntax errors name the line; schema errors name the path (`methods.main.steps.2.estimate`). */
export function parseTemplate(text: string, where: string, problems: string[]): TemplateFile | null {
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter: lines });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) problems.push(`${where}: line ${lines.linePos(e.pos[0]).line}: broken YAML: ${e.message.split('\n')[0]}`);
    return null;
  }
  const result = TemplateFile.safeParse(doc.toJS());
  if (!result.success) {
    for (const issue of zodIssues(result.error)) problems.push(`${where}: ${stepPath(issue.path, doc.toJS())}: ${issue.message}`);
    return null;
  }
  return result.data;
}

/** `methods.main.steps.2.estimate` → `methods.main.steps[2] (step "tests").estimate`. */
function stepPath(path: string, raw: unknown): string {
  const m = /^methods\.([^.]+)\.steps\.(\d+)(.*)$/.exec(path);
  if (!m) return path;
  const id = (raw as { methods?: Record<string, { steps?: Array<{ id?: unknown }> }> })?.methods?.[m[1]!]?.steps?.[Number(m[2])]?.id;
  return `methods.${m[1]}.steps[${m[2]}]${typeof id === 'string' ? ` (step "${id}")` : ''}${m[3]}`;
}

function checkTemplate(t: TemplateFile, where: string, all: Map<string, TemplateFile>, problems: string[]): void {
  if (!t.methods[t.main]) problems.push(`${where}: main method "${t.main}" is not defined under methods`);
  for (const [name, p] of Object.entries(t.params)) if (p.required && p.default !== undefined) problems.push(`${where}: params.${name}: a required parameter takes no default`);
  const known = new Set(['goal', ...Object.keys(t.params)]);
  for (const [method, { steps }] of Object.entries(t.methods)) {
    const at = (i: number, s: { id: string }) => `${where}: methods.${method}.steps[${i}] (step "${s.id}")`;
    const ids = new Set<string>();
    steps.forEach((s, i) => {
      if (ids.has(s.id)) problems.push(`${at(i, s)}: id "${s.id}" is used twice in this method`);
      ids.add(s.id);
    });
    steps.forEach((s, i) => {
      for (const d of s.dependsOn) {
        if (d === s.id) problems.push(`${at(i, s)}: depends on itself`);
        else if (!ids.has(d)) problems.push(`${at(i, s)}: dependsOn names unknown step "${d}"`);
      }
      for (const text of [s.title, s.description, ...Object.values(s.with ?? {})]) {
        for (const [, p] of (text ?? '').matchAll(PLACEHOLDER)) if (!known.has(p!)) problems.push(`${at(i, s)}: {${p}} is not a parameter of ${t.name} (declare it under params)`);
      }
      if (s.expand) checkExpansion(t, s.expand, s.with ?? {}, all, `${at(i, s)}`, problems);
    });
    const cycle = stepCycle(steps);
    if (cycle) problems.push(`${where}: methods.${method}: steps depend on each other in a cycle: ${cycle.join(' → ')}`);
  }
}

function checkExpansion(t: TemplateFile, ref: string, given: Record<string, string>, all: Map<string, TemplateFile>, at: string, problems: string[]): void {
  const target = resolveRef(t, ref, all);
  if (!target) return void problems.push(`${at}: expand names "${ref}", which is neither a method of ${t.name} nor a template (or template/method)`);
  if (target.template === t) return;
  for (const [name, p] of Object.entries(target.template.params)) {
    if (p.required && given[name] === undefined) problems.push(`${at}: expanding ${ref} needs with.${name} (a required parameter of ${target.template.name})`);
  }
}

/** A method reference: `method` of this template, `template` (its main method) or `template/method`. */
export function resolveRef(t: TemplateFile, ref: string, all: ReadonlyMap<string, TemplateFile>): { template: TemplateFile; method: string } | null {
  const [a, b] = ref.split('/') as [string, string | undefined];
  if (b !== undefined) {
    const other = all.get(a);
    return other?.methods[b] ? { template: other, method: b } : null;
  }
  if (t.methods[a]) return { template: t, method: a };
  const other = all.get(a);
  return other?.methods[other.main] ? { template: other, method: other.main } : null;
}

function stepCycle(steps: Array<{ id: string; dependsOn: string[] }>): string[] | null {
  const deps = new Map(steps.map((s) => [s.id, s.dependsOn]));
  const state = new Map<string, 1 | 2>();
  const visit = (id: string, path: string[]): string[] | null => {
    if (state.get(id) === 1) return [...path.slice(path.indexOf(id)), id];
    if (state.get(id) === 2 || !deps.has(id)) return null;
    state.set(id, 1);
    for (const d of deps.get(id)!) {
      const found = d === id ? null : visit(d, [...path, id]);
      if (found) return found;
    }
    state.set(id, 2);
    return null;
  };
  for (const s of steps) {
    const found = visit(s.id, []);
    if (found) return found;
  }
  return null;
}

/** A method that expands (through any chain) into itself would never end: name the chain. */
function checkRecursion(all: Map<string, TemplateFile>, fileOf: Map<string, string>, problems: string[]): void {
  const state = new Map<string, 1 | 2>();
  const visit = (t: TemplateFile, method: string, chain: string[]): void => {
    const key = `${t.name}/${method}`;
    if (state.get(key) === 1) return void problems.push(`${fileOf.get(t.name)}: methods.${method}: expands into itself: ${[...chain.slice(chain.indexOf(key)), key].join(' → ')}`);
    if (state.get(key) === 2) return;
    state.set(key, 1);
    for (const s of t.methods[method]?.steps ?? []) {
      const target = s.expand ? resolveRef(t, s.expand, all) : null;
      if (target) visit(target.template, target.method, [...chain, key]);
    }
    state.set(key, 2);
  };
  for (const t of all.values()) for (const method of Object.keys(t.methods)) visit(t, method, []);
}
