import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentsConfigError, parseAgentTypes } from './agent-types';

const SHIPPED = join(__dirname, '..', '..', '..', '..', 'config', 'agents.yaml');
const shipped = readFileSync(SHIPPED, 'utf8');

describe('config/agents.yaml', () => {
  it('ships the four agent types over the six-category catalogue, with no unknown capability', () => {
    const types = parseAgentTypes(shipped, 'config/agents.yaml');
    expect(types.names().sort()).toEqual(['coder', 'planner', 'researcher', 'reviewer']);
    expect(Object.keys(types.file.catalogue)).toEqual(['planning', 'research', 'coding', 'communication', 'integration', 'analysis']);
    expect(types.known.size).toBe(19);
    expect(types.warnings).toEqual([]);
    expect(types.get('coder')).toMatchObject({ maxLoad: 1, permission: 'limited', command: ['node', 'examples/agents/example-agent.mjs'] });
  });

  it('reports capabilities outside the catalogue without refusing them', () => {
    const types = parseAgentTypes(shipped.replace('capabilities: [code_review, testing,', 'capabilities: [code_review, kubernetes_ops, testing,'), 'agents.yaml');
    expect(types.warnings).toEqual(['types.reviewer.capabilities: kubernetes_ops is not in the catalogue']);
    expect(types.unknown(['testing', 'quantum_magic'])).toEqual(['quantum_magic']);
  });

  const broken: Array<[string, string, string]> = [
    ['a maxLoad that is not a number', shipped.replace('maxLoad: 1\n', 'maxLoad: lots\n'), 'agents.yaml: types.coder.maxLoad'],
    ['an unknown permission', shipped.replace('permission: full\n', 'permission: root\n'), 'agents.yaml: types.planner.permission'],
    ['a lost timeout shorter than the stale one', shipped.replace('lostAfterMs: 120000', 'lostAfterMs: 1000'), 'agents.yaml: types.coder.lostAfterMs: must be longer than staleAfterMs'],
    ['an unknown field', shipped.replace('    costPerHour: 6\n', '    costPerHour: 6\n    colour: red\n'), 'agents.yaml: types.coder: Unrecognized key: "colour"'],
    ['a capability that is not a word', shipped.replace('[code_review, testing,', '[Code Review, testing,'), 'agents.yaml: types.reviewer.capabilities.0'],
    ['YAML that does not parse', 'types: [unclosed', 'agents.yaml: not valid YAML'],
  ];
  it.each(broken)('refuses %s, naming the file and the field', (_name, text, message) => {
    expect(() => parseAgentTypes(text, 'agents.yaml')).toThrow(AgentsConfigError);
    expect(() => parseAgentTypes(text, 'agents.yaml')).toThrow(message);
  });
});
