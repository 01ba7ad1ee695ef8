import type { WebhookView } from '@orch/contracts';
import type { Subscription } from './subscription';

export function viewOfState(s: Subscription): WebhookView {
  return {
    id: s.id,
    kind: s.kind,
    url: s.displayUrl,
    events: s.events,
    sprintCode: s.sprintCode,
    taskCode: s.taskCode,
    description: s.description,
    enabled: s.enabled,
    disabledReason: s.disabledReason,
    createdAt: s.createdAt,
    version: s.version,
  };
}
