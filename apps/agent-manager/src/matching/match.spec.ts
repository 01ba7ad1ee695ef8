import type { AgentView } from '@orch/contracts';
import { matchAgents } from './match';

const agent = (id: string, over: Partial<AgentView> = {}): AgentView => ({
  id, name: id, type: 'coder', capabilities: ['code_generation', 'testing'], status: 'IDLE', load: 0, maxLoad: 2, priority: 50, permission: 'limited',
  lastHeartbeatAt: null, progress: null, lastAssignedAt: null, costPerHour: 1, taskCodes: [], unknownCapabilities: [], spawned: false, registeredAt: null, version: 1, ...over,
});

describe('matching agents to a request', () => {
  const filters: Array<[string, AgentView, { capabilities: string[]; type?: string }, string[]]> = [
    ['an idle agent with every capability', agent('a'), { capabilities: ['testing'] }, []],
    ['a busy agent with room', agent('a', { status: 'BUSY', load: 1 }), { capabilities: [] }, []],
    ['an agent of another type', agent('a'), { capabilities: [], type: 'reviewer' }, ['type is coder, not reviewer']],
    ['a stale agent', agent('a', { status: 'STALE' }), { capabilities: [] }, ['status is STALE']],
    ['a lost agent', agent('a', { status: 'LOST' }), { capabilities: [] }, ['status is LOST']],
    ['a terminated agent', agent('a', { status: 'TERMINATED' }), { capabilities: [] }, ['status is TERMINATED']],
    ['a full agent', agent('a', { status: 'BUSY', load: 2 }), { capabilities: [] }, ['no capacity: load 2 of 2']],
    ['an agent missing capabilities', agent('a'), { capabilities: ['testing', 'web_research', 'code_review'] }, ['lacks capabilities: web_research, code_review']],
    ['an agent failing on every count', agent('a', { status: 'BUSY', load: 2 }), { capabilities: ['x_y'], type: 'planner' }, ['type is coder, not planner', 'no capacity: load 2 of 2', 'lacks capabilities: x_y']],
  ];
  it.each(filters)('%s', (_name, candidate, request, reasons) => {
    const reply = matchAgents([candidate], request);
    if (reasons.length === 0) expect(reply).toEqual({ matches: [candidate], rejected: [] });
    else expect(reply).toEqual({ matches: [], rejected: [{ id: 'a', name: 'a', reasons }] });
  });

  const orders: Array<[string, AgentView[], string[]]> = [
    ['higher priority first', [agent('low', { priority: 10 }), agent('high', { priority: 90 })], ['high', 'low']],
    ['then lower load first', [agent('busy', { load: 1, status: 'BUSY' }), agent('idle')], ['idle', 'busy']],
    ['then least recently assigned (never first)', [agent('recent', { lastAssignedAt: '2026-01-02T00:00:00Z' }), agent('old', { lastAssignedAt: '2026-01-01T00:00:00Z' }), agent('never')], ['never', 'old', 'recent']],
    ['priority beats load', [agent('idle-low', { priority: 10 }), agent('busy-high', { priority: 90, load: 1, status: 'BUSY' })], ['busy-high', 'idle-low']],
    ['load beats recency', [agent('fresh-idle', { lastAssignedAt: '2026-01-02T00:00:00Z' }), agent('old-busy', { load: 1, status: 'BUSY', lastAssignedAt: '2026-01-01T00:00:00Z' })], ['fresh-idle', 'old-busy']],
  ];
  it.each(orders)('sorts %s', (_name, agents, expected) => {
    expect(matchAgents(agents, { capabilities: [] }).matches.map((a) => a.id)).toEqual(expected);
  });
});
