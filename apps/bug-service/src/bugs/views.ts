import type { BugView } from '@orch/contracts';
import type { Bug } from './bug';

export function bugViewFromState(bug: Bug): BugView {
  return { ...bug, tasks: [...bug.tasks], sessions: [...bug.sessions], agents: [...bug.agents] };
}
