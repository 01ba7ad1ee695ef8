import type { AgentView, MatchReply } from '@orch/contracts';

export interface MatchRequest {
  capabilities: string[];
  type?: string;
}

/**
 * SPEC §4.3: filter by type (if asked), status, capacity (load < maxLoad), capabilities ⊇ required;
 * sort by priority (high first), then load (low first), then least recently assigned (never first).
 * Every rejected agent is listed with each reason, so an operator sees why nobody matched.
 */
export function matchAgents(agents: AgentView[], req: MatchRequest): MatchReply {
  const matches: AgentView[] = [];
  const rejected: MatchReply['rejected'] = [];
  for (const agent of agents) {
    const reasons = rejectionsOf(agent, req);
    if (reasons.length === 0) matches.push(agent);
    else rejected.push({ id: agent.id, name: agent.name, reasons });
  }
  matches.sort(byPreference);
  return { matches, rejected };
}

export function rejectionsOf(agent: AgentView, req: MatchRequest): string[] {
  const reasons: string[] = [];
  if (req.type && agent.type !== req.type) reasons.push(`type is ${agent.type}, not ${req.type}`);
  if (agent.status !== 'IDLE' && agent.status !== 'BUSY') reasons.push(`status is ${agent.status}`);
  else if (agent.load >= agent.maxLoad) reasons.push(`no capacity: load ${agent.load} of ${agent.maxLoad}`);
  const missing = req.capabilities.filter((c) => !agent.capabilities.includes(c));
  if (missing.length > 0) reasons.push(`lacks capabilities: ${missing.join(', ')}`);
  return reasons;
}

export function byPreference(a: AgentView, b: AgentView): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.load !== b.load) return a.load - b.load;
  const at = a.lastAssignedAt ?? '';
  const bt = b.lastAssignedAt ?? '';
  if (at !== bt) return at < bt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
