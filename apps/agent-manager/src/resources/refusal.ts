import { ConflictError, RuleViolation, type MissingItem, type OrchError } from '@orch/errors';
import type { Refusal } from './placement';

const HINT: Record<Refusal['kind'], (needed: number, available: number, host: string | null) => string> = {
  exhausted: (n, a, host) => `needs ${n}, the best host (${host}) has ${a} free`,
  quota: (n, a) => `needs ${n}, ${a} left under the sprint's quota`,
  never_fits: (n, a, host) => `needs ${n}, the largest host (${host}) has ${a} in all`,
  no_hosts: () => 'add hosts to config/resources.yaml or POST /api/v1/resources/hosts',
};

/**
 * A refused spawn as the caller sees it: 409 when it may pass later (the pool or the sprint's
 * quota is full; something will be released), 422 when it cannot until the pool changes.
 * `missing` names each short resource.
 */
export function refusalError(refusal: Refusal): OrchError {
  const missing: MissingItem[] = refusal.short.map((s) => ({ kind: 'resource', name: s.resource, hint: HINT[refusal.kind](s.needed, s.available, refusal.hostId) }));
  const message = `Cannot spawn: ${refusal.message}`;
  switch (refusal.kind) {
    case 'exhausted':
      return new ConflictError('RESOURCES.EXHAUSTED', message, { missing });
    case 'quota':
      return new ConflictError('RESOURCES.QUOTA_EXCEEDED', message, { missing });
    case 'never_fits':
      return new RuleViolation('RESOURCES.NEVER_FITS', message, missing);
    case 'no_hosts':
      return new RuleViolation('RESOURCES.NO_HOSTS', message, [{ kind: 'config', name: 'hosts', hint: HINT.no_hosts(0, 0, null) }]);
    default: {
      const never: never = refusal.kind;
      return never;
    }
  }
}
