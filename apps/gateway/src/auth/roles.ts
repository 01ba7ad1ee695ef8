import type { Role } from '@orch/contracts';

/**
 * Who may call what (SPEC §6). The sets are named by intent so an endpoint reads as a policy:
 * `READERS` for every read; `WRITERS` for an agent's own work (sessions, heartbeats, bugs,
 * plans); `ADMINS` for running the system (sprints, tasks, workflows, webhooks, spawning).
 * The route-by-route table in `access-policy.e2e.spec.ts` is the reviewed list.
 */
export const READERS: readonly Role[] = ['admin', 'agent', 'viewer'];
export const WRITERS: readonly Role[] = ['admin', 'agent'];
export const ADMINS: readonly Role[] = ['admin'];

/** `public` endpoints (health, docs) need no key at all. */
export type Access = readonly Role[] | 'public';

export function isAllowed(access: Access, role: Role): boolean {
  return access === 'public' || access.includes(role);
}
