import { z } from 'zod';

export const ActorKind = z.enum(['agent', 'human', 'system']);
export type ActorKind = z.infer<typeof ActorKind>;

export const Role = z.enum(['admin', 'agent', 'viewer']);
export type Role = z.infer<typeof Role>;

/** Who caused a change. `role` is what the gateway authenticated; it is kept for audit. */
export const Actor = z.object({
  kind: ActorKind,
  id: z.string().min(1).max(128),
  role: Role.optional(),
});
export type Actor = z.infer<typeof Actor>;
