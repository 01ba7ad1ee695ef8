import type { BugCategory, BugEvent, BugLoggedData, BugOccurrence, BugStatus } from '@orch/contracts';
import { BugEvent as BugEventSchema } from '@orch/contracts';
import { NotFoundError } from '@orch/errors';
import type { AggregateDefinition, EventMeta } from '@orch/event-store';

export interface Bug {
  hash: string;
  fingerprintVersion: number;
  errorClass: string;
  template: string;
  category: BugCategory;
  message: string;
  file: string | null;
  line: number | null;
  status: BugStatus;
  occurrenceCount: number;
  regressionCount: number;
  firstSeen: string;
  lastSeen: string;
  lastTaskCode: string | null;
  tasks: string[];
  sessions: string[];
  agents: string[];
  version: number;
}

export type BugState = Bug | null;

/**
 * Logging does not depend on the state the caller saw: whatever the bug is now, a report is one
 * more occurrence. So on a concurrency conflict the repository reloads and decides again, and 50
 * concurrent reports count 50 occurrences.
 */
export type BugCommand = { type: 'LogBug'; report: BugLoggedData } | { type: 'ResolveBug'; hash: string; resolution: string | null };

export const initialState = (): BugState => null;

export function evolve(state: BugState, event: BugEvent, meta: EventMeta): BugState {
  switch (event.type) {
    case 'orchestration.bug.logged': {
      const d = event.data;
      const first: Bug = {
        hash: d.hash,
        fingerprintVersion: d.fingerprintVersion,
        errorClass: d.errorClass,
        template: d.template,
        category: d.category,
        message: d.message,
        file: d.file,
        line: d.line,
        status: 'OPEN',
        occurrenceCount: 0,
        regressionCount: 0,
        firstSeen: meta.occurredAt,
        lastSeen: meta.occurredAt,
        lastTaskCode: null,
        tasks: [],
        sessions: [],
        agents: [],
        version: meta.version,
      };
      return occur(first, d, meta);
    }
    case 'orchestration.bug.occurred':
      return state && occur(state, event.data, meta);
    case 'orchestration.bug.regressed':
      return state && occur({ ...state, status: 'OPEN', regressionCount: state.regressionCount + 1 }, event.data, meta);
    case 'orchestration.bug.resolved':
      return state && { ...state, status: 'RESOLVED', version: meta.version };
    default: {
      const never: never = event;
      return never;
    }
  }
}

function occur(bug: Bug, o: BugOccurrence, meta: EventMeta): Bug {
  return {
    ...bug,
    message: o.message,
    file: o.file ?? bug.file,
    line: o.line ?? bug.line,
    occurrenceCount: bug.occurrenceCount + 1,
    lastSeen: meta.occurredAt,
    lastTaskCode: o.taskCode ?? bug.lastTaskCode,
    tasks: add(bug.tasks, o.taskCode),
    sessions: add(bug.sessions, o.sessionId),
    agents: add(bug.agents, o.agentId),
    version: meta.version,
  };
}

const add = (list: string[], item: string | null): string[] => (item && !list.includes(item) ? [...list, item] : list);

const occurrenceOf = (d: BugLoggedData): BugOccurrence => ({
  message: d.message,
  file: d.file,
  line: d.line,
  taskCode: d.taskCode,
  sessionId: d.sessionId,
  agentId: d.agentId,
  redactions: d.redactions,
});

export function decide(command: BugCommand, state: BugState): BugEvent[] {
  switch (command.type) {
    case 'LogBug': {
      if (!state) return [{ type: 'orchestration.bug.logged', data: command.report }];
      const data = occurrenceOf(command.report);
      return [state.status === 'RESOLVED' ? { type: 'orchestration.bug.regressed', data } : { type: 'orchestration.bug.occurred', data }];
    }
    case 'ResolveBug': {
      if (!state) throw new NotFoundError('BUG.NOT_FOUND', `Bug ${command.hash} does not exist`);
      // Resolving a resolved bug is a retry, not a conflict.
      if (state.status === 'RESOLVED') return [];
      return [{ type: 'orchestration.bug.resolved', data: { resolution: command.resolution } }];
    }
    default: {
      const never: never = command;
      return never;
    }
  }
}

/** What the reply says this report was (computed from the events `decide` produced). */
export function outcomeOf(events: BugEvent[]): 'new' | 'recurring' | 'regression' {
  const type = events[0]?.type;
  return type === 'orchestration.bug.logged' ? 'new' : type === 'orchestration.bug.regressed' ? 'regression' : 'recurring';
}

export const BugAggregate: AggregateDefinition<BugState, BugEvent> = {
  type: 'bug',
  initialState,
  evolve,
  eventSchema: BugEventSchema,
};
