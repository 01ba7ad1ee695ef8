import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@orch/config';
import { NotFoundError, ValidationError } from '@orch/errors';
import { validateDag } from '../graph/validate';
import { loadPlannerSettings, templatesDir } from '../../settings/planner-settings';
import { decomposerNamed, DECOMPOSERS } from './decomposers';
import { TemplateDecomposer } from './template-decomposer';
import { loadTemplates, TemplateError } from './template-loader';

const shipped = loadTemplates(templatesDir());
const decomposer = new TemplateDecomposer(shipped);
const plan = (template: string, params: Record<string, string>) => decomposer.decomposeSync({ goal: 'Ship it', template, params });
const shape = (tasks: ReturnType<typeof plan>) => Object.fromEntries(tasks.map((t) => [t.id, t.dependsOn]));

describe('the shipped plan templates', () => {
  it('are feature, bug_fix, refactor and research, and the settings load', () => {
    expect(shipped.names()).toEqual(['bug_fix', 'feature', 'refactor', 'research']);
    expect(loadPlannerSettings().workflow.retry.maxAttempts).toBeGreaterThan(0);
  });

  it('decompose a feature through nested methods and another template, parameters in the titles', () => {
    const tasks = plan('feature', { feature: 'dark mode', component: 'the web app' });
    expect(shape(tasks)).toEqual({
      'research.sources': [],
      'research.analyse': ['research.sources'],
      'research.synthesise': ['research.analyse'],
      design: ['research.synthesise'],
      'implement.code': ['design'],
      'implement.tests.unit': ['implement.code'],
      'implement.tests.integration': ['implement.code'],
      review: ['implement.tests.unit', 'implement.tests.integration'],
      docs: ['implement.tests.unit', 'implement.tests.integration'],
      release: ['review', 'docs'],
    });
    const byId = new Map(tasks.map((t) => [t.id, t]));
    expect(byId.get('research.sources')).toMatchObject({ title: 'Collect sources on prior art for dark mode', step: 'research.survey.sources', type: 'research' });
    expect(byId.get('implement.code')).toMatchObject({ title: 'Implement dark mode in the web app', estimateMinutes: 120, priority: 'HIGH', requiredCapabilities: ['code_generation'], step: 'feature.build.code', type: 'feature' });
    expect(byId.get('design')!.description).toBe('Goal: Ship it. Write down the interfaces, data and failure modes.');
    expect(validateDag(tasks)).toEqual([]);
  });

  it('decompose a bug fix test-first', () => {
    const tasks = plan('bug_fix', { bug: 'TypeError in checkout' });
    expect(shape(tasks)).toEqual({ reproduce: [], diagnose: ['reproduce'], 'fix.regression_test': ['diagnose'], 'fix.patch': ['fix.regression_test'], verify: ['fix.patch'] });
    expect(tasks.map((t) => t.title)).toContain('Fix "TypeError in checkout" in the application');
    expect(new Set(tasks.map((t) => t.type))).toEqual(new Set(['bug_fix']));
  });

  it('decompose a refactor behind a safety net borrowed from the feature template', () => {
    const tasks = plan('refactor', { target: 'the billing module' });
    expect(shape(tasks)).toEqual({
      analyse: [],
      'safety_net.unit': ['analyse'],
      'safety_net.integration': ['analyse'],
      restructure: ['safety_net.unit', 'safety_net.integration'],
      review: ['restructure'],
      verify: ['restructure'],
    });
    expect(tasks.find((t) => t.id === 'safety_net.unit')).toMatchObject({ title: 'Unit tests for the current behaviour of the billing module', step: 'feature.testing.unit' });
    expect(tasks[0]!.title).toBe('Analyse the billing module and its callers (maintainability)');
  });

  it('decompose research', () => {
    const tasks = plan('research', { topic: 'vector databases' });
    expect(shape(tasks)).toEqual({ 'survey.sources': [], 'survey.analyse': ['survey.sources'], 'survey.synthesise': ['survey.analyse'], report: ['survey.synthesise'] });
    expect(tasks[3]!.title).toBe('Write up the findings on vector databases for the team');
  });

  it('describe themselves: parameters, methods and how many tasks they make', () => {
    const list = decomposer.templates();
    expect(list.map((t) => [t.name, t.taskCount])).toEqual([['bug_fix', 5], ['feature', 10], ['refactor', 6], ['research', 4]]);
    expect(list.find((t) => t.name === 'feature')!.params).toEqual([
      { name: 'feature', required: true, default: null, description: 'the feature in a few words' },
      { name: 'component', required: false, default: 'the application', description: 'where it lives' },
    ]);
  });

  it('refuses an unknown template, naming the known ones', () => {
    expect(() => plan('moonshot', {})).toThrow(NotFoundError);
    expect(() => plan('moonshot', {})).toThrow('known: bug_fix, feature, refactor, research');
  });

  it('refuses missing and unknown parameters, naming them', () => {
    const error = (() => {
      try {
        plan('feature', { colour: 'red' });
      } catch (e) {
        return e as ValidationError;
      }
    })()!;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.errors.map((e) => e.path)).toEqual(['params.colour', 'params.feature']);
  });
});

describe('loading templates that are wrong', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'plans-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const problemsOf = (files: Record<string, string>): string[] => {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    try {
      loadTemplates(dir);
    } catch (error) {
      expect(error).toBeInstanceOf(TemplateError);
      return (error as TemplateError).problems;
    }
    throw new Error('expected a TemplateError');
  };
  const ok = 'name: a\nmethods:\n  main:\n    steps:\n      - { id: one, title: One, estimate: 5 }\n';

  it('names the file and line of broken YAML', () => {
    expect(problemsOf({ 'a.yaml': ok, 'b.yaml': 'name: b\nmethods:\n  main: [unclosed\n' })).toEqual([expect.stringMatching(/^b\.yaml: line \d+: broken YAML/)]);
  });

  it('names the file and step of a schema mistake', () => {
    const text = 'name: a\nmethods:\n  main:\n    steps:\n      - { id: one, title: One, estimate: soon }\n';
    expect(problemsOf({ 'a.yaml': text })).toEqual(['a.yaml: methods.main.steps[0] (step "one").estimate: Invalid input: expected number, received string']);
  });

  it('names unknown dependencies, unknown methods, unknown placeholders and step cycles', () => {
    const text = `name: a
methods:
  main:
    steps:
      - { id: one, title: "One {colour}", estimate: 5, dependsOn: [two] }
      - { id: two, title: Two, estimate: 5, dependsOn: [one] }
      - { id: three, title: Three, estimate: 5, dependsOn: [nine] }
      - { id: four, expand: nowhere }
`;
    expect(problemsOf({ 'a.yaml': text })).toEqual([
      'a.yaml: methods.main.steps[0] (step "one"): {colour} is not a parameter of a (declare it under params)',
      'a.yaml: methods.main.steps[2] (step "three"): dependsOn names unknown step "nine"',
      'a.yaml: methods.main.steps[3] (step "four"): expand names "nowhere", which is neither a method of a nor a template (or template/method)',
      'a.yaml: methods.main: steps depend on each other in a cycle: one → two → one',
    ]);
  });

  it('names a method that expands into itself through another template', () => {
    const a = 'name: a\nmethods:\n  main:\n    steps:\n      - { id: x, expand: b }\n';
    const b = 'name: b\nmethods:\n  main:\n    steps:\n      - { id: y, expand: a }\n';
    expect(problemsOf({ 'a.yaml': a, 'b.yaml': b })).toEqual(['a.yaml: methods.main: expands into itself: a/main → b/main → a/main']);
  });

  it('names a step id used twice in a method, and a step that depends on itself', () => {
    const text = `name: a
methods:
  main:
    steps:
      - { id: one, title: One, estimate: 5 }
      - { id: two, title: Two, estimate: 5, dependsOn: [two] }
      - { id: one, title: One again, estimate: 5 }
`;
    expect(problemsOf({ 'a.yaml': text })).toEqual([
      'a.yaml: methods.main.steps[2] (step "one"): id "one" is used twice in this method',
      'a.yaml: methods.main.steps[1] (step "two"): depends on itself',
    ]);
  });

  it('names a nested expansion that leaves out a required parameter of the template it expands', () => {
    const a = `name: a
methods:
  main:
    steps:
      - { id: prepare, expand: inner }
  inner:
    steps:
      - { id: study, expand: b/survey, with: { audience: everyone } }
`;
    const b = `name: b
params:
  topic: { required: true }
  audience: { default: the team }
methods:
  main:
    steps:
      - { id: go, expand: survey, with: { topic: "{topic}" } }
  survey:
    steps:
      - { id: read, title: "Read about {topic} for {audience}", estimate: 10 }
`;
    expect(problemsOf({ 'a.yaml': a, 'b.yaml': b })).toEqual(['a.yaml: methods.inner.steps[0] (step "study"): expanding b/survey needs with.topic (a required parameter of b)']);
  });

  it('names a compound step given a title (its method\'s steps have their own)', () => {
    const text = `name: a
methods:
  main:
    steps:
      - { id: build, expand: inner, title: Build it }
  inner:
    steps:
      - { id: one, title: One, estimate: 5 }
`;
    expect(problemsOf({ 'a.yaml': text })).toEqual(['a.yaml: methods.main.steps[0] (step "build").title: a compound step (expand) takes no title; its method\'s steps have their own']);
  });

  it('names a required parameter that is given a default', () => {
    const text = `name: a
params:
  topic: { required: true, default: caches }
methods:
  main:
    steps:
      - { id: one, title: "Study {topic}", estimate: 5 }
`;
    expect(problemsOf({ 'a.yaml': text })).toEqual(['a.yaml: params.topic: a required parameter takes no default']);
  });

  it('names a file whose name field differs and a missing main method', () => {
    expect(problemsOf({ 'c.yaml': 'name: d\nmain: start\nmethods:\n  other:\n    steps:\n      - { id: one, title: One, estimate: 5 }\n' })).toEqual([
      'c.yaml: name "d" must match the file name',
      'c.yaml: main method "start" is not defined under methods',
    ]);
  });
});

describe('choosing the decomposer by name (plans.decomposer in config/planner.yaml)', () => {
  it('is the template planner as shipped', () => {
    expect(loadPlannerSettings().plans.decomposer).toBe('template');
    expect(decomposerNamed('template').name).toBe('template');
  });

  it('builds another decomposer registered under its name', () => {
    const other = { name: 'other', decompose: async () => [], templates: () => [] };
    expect(decomposerNamed('other', 'planner.yaml', { ...DECOMPOSERS, other: () => other })).toBe(other);
  });

  it('stops the start-up on an unknown name, naming the file, the setting and the known ones', () => {
    expect(() => decomposerNamed('llm', '/etc/orch/planner.yaml')).toThrow(ConfigError);
    expect(() => decomposerNamed('llm', '/etc/orch/planner.yaml')).toThrow('/etc/orch/planner.yaml: plans.decomposer: unknown decomposer "llm"; known: template');
  });
});
