import type { TemplateSummary } from '@orch/contracts';
import { NotFoundError, ValidationError } from '@orch/errors';
import type { DecomposedTask, DecomposeRequest, Decomposer } from './decomposer';
import { PLACEHOLDER, resolveRef, type TemplateLibrary } from './template-loader';
import type { TemplateFile, TemplateStep } from './template-schema';

/**
 * The default decomposer: hierarchical task-network methods from `config/plans/*.yaml`. A
 * compound step is replaced by the tasks of the method it expands; the expansion's first tasks
 * inherit the step's dependencies, and whatever depends on the step depends on its last tasks.
 */
export class TemplateDecomposer implements Decomposer {
  readonly name = 'template';

  constructor(private readonly library: TemplateLibrary) {}

  async decompose(request: DecomposeRequest): Promise<DecomposedTask[]> {
    return this.decomposeSync(request);
  }

  templates(): TemplateSummary[] {
    return this.library.names().map((name) => {
      const t = this.library.get(name)!;
      const required = Object.fromEntries(Object.entries(t.params).filter(([, p]) => p.required).map(([k]) => [k, k]));
      return {
        name,
        description: t.description,
        params: Object.entries(t.params).map(([k, p]) => ({ name: k, required: p.required, default: p.default ?? null, description: p.description ?? null })),
        methods: Object.keys(t.methods),
        taskCount: this.decomposeSync({ goal: name, template: name, params: required }).length,
      };
    });
  }

  decomposeSync({ goal, template, params }: DecomposeRequest): DecomposedTask[] {
    const t = this.library.get(template);
    if (!t) throw new NotFoundError('PLAN.UNKNOWN_TEMPLATE', `There is no plan template named ${template}; known: ${this.library.names().join(', ')}`, { templates: this.library.names() });
    const values = bind(t, params, goal);
    const out: DecomposedTask[] = [];
    this.expand(t, t.main, values, '', [], out);
    return out;
  }

  /** Appends the method's tasks to `out`; returns the ids of its last tasks (what "after this method" means). */
  private expand(t: TemplateFile, method: string, values: Record<string, string>, prefix: string, entry: string[], out: DecomposedTask[]): string[] {
    const steps = ordered(t.methods[method]!.steps);
    const exits = new Map<string, string[]>();
    const dependedOn = new Set(steps.flatMap((s) => s.dependsOn));
    for (const s of steps) {
      const deps = s.dependsOn.length > 0 ? [...new Set(s.dependsOn.flatMap((d) => exits.get(d)!))] : entry;
      const id = `${prefix}${s.id}`;
      if (s.expand) {
        const target = resolveRef(t, s.expand, this.library.templates)!;
        const inner: Record<string, string> = target.template === t ? { ...values } : { goal: values.goal!, ...defaults(target.template) };
        for (const [k, v] of Object.entries(s.with ?? {})) inner[k] = fill(v, values);
        exits.set(s.id, this.expand(target.template, target.method, inner, `${id}.`, deps, out));
      } else {
        out.push(primitive(t, method, s, id, deps, values));
        exits.set(s.id, [id]);
      }
    }
    return [...new Set(steps.filter((s) => !dependedOn.has(s.id)).flatMap((s) => exits.get(s.id)!))];
  }
}

function primitive(t: TemplateFile, method: string, s: TemplateStep, id: string, dependsOn: string[], values: Record<string, string>): DecomposedTask {
  return {
    id,
    title: fill(s.title!, values).slice(0, 200),
    description: fill(s.description ?? '', values),
    type: s.type ?? t.type ?? t.name,
    priority: s.priority ?? 'MEDIUM',
    estimateMinutes: s.estimate!,
    requiredCapabilities: s.capabilities ?? [],
    dependsOn,
    step: `${t.name}.${method}.${s.id}`,
  };
}

/** Checks the caller's parameters against the template: unknown ones and missing required ones are 400s naming them. */
function bind(t: TemplateFile, params: Record<string, string>, goal: string): Record<string, string> {
  const errors = [
    ...Object.keys(params).filter((k) => !t.params[k]).map((k) => ({ path: `params.${k}`, message: `is not a parameter of ${t.name} (known: ${Object.keys(t.params).join(', ') || 'none'})` })),
    ...Object.entries(t.params).filter(([k, p]) => p.required && !params[k]?.trim()).map(([k, p]) => ({ path: `params.${k}`, message: `is required by ${t.name}${p.description ? ` (${p.description})` : ''}` })),
  ];
  if (errors.length > 0) throw new ValidationError('PLAN.INVALID_PARAMS', `params.${errors[0]!.path.slice(7)} ${errors[0]!.message}`, errors);
  return { ...defaults(t), ...params, goal };
}

function defaults(t: TemplateFile): Record<string, string> {
  // An optional parameter without a default reads as nothing rather than as `{name}`.
  return Object.fromEntries(Object.entries(t.params).map(([k, p]) => [k, p.default ?? '']));
}

function fill(text: string, values: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => values[name] ?? whole).replace(/[ \t]{2,}/g, ' ').trim();
}

/** Steps in dependency order (the loader has ruled out cycles and unknown ids). */
function ordered(steps: TemplateStep[]): TemplateStep[] {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const done = new Set<string>();
  const out: TemplateStep[] = [];
  const visit = (s: TemplateStep) => {
    if (done.has(s.id)) return;
    done.add(s.id);
    for (const d of s.dependsOn) visit(byId.get(d)!);
    out.push(s);
  };
  steps.forEach(visit);
  return out;
}
