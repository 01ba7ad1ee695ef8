import type { Role } from '@orch/contracts';

/**
 * Who may call what. The sets are named by intent so an endpoint reads as a policy
 * (`roles: WRITERS`); later issues narrow what agents may write.
 */
export const READERS: readonly Role[] = ['admin', 'agent', 'viewer'];
export const WRITERS: readonly Role[] = ['admin', 'agent'];
export const ADMINS: readonly Role[] = ['admin'];

/** `public` endpoints (health, docs) need no key at all. */
export type Access = readonly Role[] | 'public';

export function isAllowed(access: Access, role: Role): boolean {
  return access === 'public' || access.includes(role);
}
