import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findConfigDir, loadTemplates, parseTemplate, templateFor, WorkflowTemplateError } from './templates';
import { loadOrchestrationConfig } from './orchestration-config';

const DEFAULT = readFileSync(join(findConfigDir(), 'workflows', 'default.yaml'), 'utf8');

function thrown(fn: () => unknown): WorkflowTemplateError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WorkflowTemplateError);
    return error as WorkflowTemplateError;
  }
  throw new Error('expected a WorkflowTemplateError');
}

describe('workflow templates', () => {
  it('loads the shipped default and bug_fix templates, in order, with the seeds fields', () => {
    const templates = loadTemplates(join(findConfigDir(), 'workflows'));
    expect([...templates.keys()].sort()).toEqual(['bug_fix', 'default']);
    const d = templates.get('default')!;
    expect(d.phases.map((p) => p.name)).toEqual(['INTAKE', 'RESEARCH', 'PLAN', 'EXECUTE', 'REVIEW', 'CLOSE']);
    expect(d.phases[3]).toMatchObject({ goal: 'Implement changes according to the plan', optionalArtifacts: ['BUGS.md', 'TOOLS.md'], onStart: ['git.capture_commit_hash'], onEnd: ['git.capture_final_commit'] });
    // The seeds' events: start and end come with every phase change; step_complete is EXECUTE's own.
    expect(d.phases.map((p) => [p.name, p.customEvents])).toEqual([['INTAKE', []], ['RESEARCH', []], ['PLAN', []], ['EXECUTE', ['step_complete']], ['REVIEW', []], ['CLOSE', []]]);
    expect(templates.get('bug_fix')!.phases.map((p) => p.name)).toEqual(['INTAKE', 'RESEARCH', 'EXECUTE', 'REVIEW', 'CLOSE']);
    expect(templateFor(templates, 'bug_fix').name).toBe('bug_fix');
    expect(templateFor(templates, 'feature').name).toBe('default');
    expect(templateFor(templates, 'never_heard_of').name).toBe('default');
  });

  it.each([
    ['a wrong type', DEFAULT.replace('order: 2', 'order: two'), 'research', 'order'],
    ['an unknown hook', DEFAULT.replace('on_end: [git.capture_final_commit]', 'on_end: [git.push_force]'), 'execute', 'hooks.on_end.0'],
    ['a missing next_step', DEFAULT.replace(/ {4}next_step: \|\n {6}Now transition to RESEARCH\.[\s\S]*?phase-complete\n/, ''), 'intake', 'next_step'],
    ['an unknown field', DEFAULT.replace('    goal: Decide how to make the change', '    goal: Decide how to make the change\n    gaol: typo'), 'plan', 'gaol'],
    ['an unknown nested field', DEFAULT.replace('required: [PLAN.md]', 'required: [PLAN.md]\n      mandatory: [X.md]'), 'plan', 'artifacts.mandatory'],
    ['a path as artifact', DEFAULT.replace('required: [PLAN.md]', 'required: [../PLAN.md]'), 'plan', 'artifacts.required.0'],
    ['orders with a gap', DEFAULT.replace('order: 6', 'order: 7'), 'close', 'order'],
    ["another phase's event", DEFAULT.replace('events: [plan.start, plan.end]', 'events: [plan.start, execute.step_complete, plan.end]'), 'plan', 'events.1'],
    ['an event list without its end', DEFAULT.replace('events: [plan.start, plan.end]', 'events: [plan.start, plan.drafted]'), 'plan', 'events'],
  ])('names the file, the phase and the field of %s', (_what, text, phase, field) => {
    const error = thrown(() => parseTemplate(text, 'config/workflows/default.yaml'));
    expect(error).toMatchObject({ file: 'config/workflows/default.yaml', phase, field });
    expect(error.message).toContain(`config/workflows/default.yaml, phase "${phase}", field "${field}"`);
  });

  it('names the file of broken YAML and of a name that is not the file name', () => {
    expect(thrown(() => parseTemplate('phases: [unclosed', 'x.yaml'))).toMatchObject({ file: 'x.yaml', field: '(yaml)' });
    expect(thrown(() => parseTemplate(DEFAULT, 'config/workflows/other.yaml'))).toMatchObject({ field: 'name' });
  });

  it('refuses a directory without the default template, and a task type claimed twice', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wf-'));
    writeFileSync(join(dir, 'bug_fix.yaml'), DEFAULT.replace('name: default', 'name: bug_fix'));
    expect(thrown(() => loadTemplates(dir)).message).toContain('the default template "default" is missing');
    writeFileSync(join(dir, 'default.yaml'), DEFAULT);
    expect(thrown(() => loadTemplates(dir))).toMatchObject({ field: 'task_types' });
  });

  it('reads config/orchestration.yaml and names a bad key', () => {
    expect(loadOrchestrationConfig(join(findConfigDir(), 'orchestration.yaml')).workflow).toEqual({
      allow_phase_skip: false,
      allow_user_override: true,
      require_artifact_validation: true,
      sync_files_on_close: true,
      default_template: 'default',
    });
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'o.yaml'), 'workflow:\n  allow_phase_skip: "yes"\n');
    expect(() => loadOrchestrationConfig(join(dir, 'o.yaml'))).toThrow(/key "workflow.allow_phase_skip"/);
    expect(loadOrchestrationConfig(join(findConfigDir(), 'orchestration.yaml')).git.providers).toEqual({});
    writeFileSync(join(dir, 'ghe.yaml'), 'git:\n  providers:\n    git.acme.corp: github\n');
    expect(loadOrchestrationConfig(join(dir, 'ghe.yaml')).git.providers).toEqual({ 'git.acme.corp': 'github' });
    writeFileSync(join(dir, 'bad-host.yaml'), 'git:\n  providers:\n    git.acme.corp: bitbucket\n');
    expect(() => loadOrchestrationConfig(join(dir, 'bad-host.yaml'))).toThrow('key "git.providers.git.acme.corp": must be github or gitlab');
    // The search service reads search.cache_ttl too, with the same bounds (search.config.spec.ts): one file, one verdict.
    writeFileSync(join(dir, 'ttl.yaml'), 'search:\n  cache_ttl: 0\n');
    expect(() => loadOrchestrationConfig(join(dir, 'ttl.yaml'))).toThrow(/key "search.cache_ttl"/);
    writeFileSync(join(dir, 'typo.yaml'), 'workflow:\n  allow_phase_skipp: true\n');
    expect(() => loadOrchestrationConfig(join(dir, 'typo.yaml'))).toThrow('key "workflow.allow_phase_skipp": unknown key "allow_phase_skipp" (a typo?)');
  });
});
