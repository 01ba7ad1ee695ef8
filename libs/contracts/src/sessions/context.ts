import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ID_PATTERN, SprintCode, TaskCode } from '../common/ids';
import { SessionKey } from './session';

/**
 * A caller's current context (SPEC §4.1 context scoping) is an aggregate of its own, `context`,
 * one per actor: every choice (PUT /me/context, a session started, resumed or left) is an event,
 * so the whole context, sprint and task included, rebuilds from the log when Redis loses it.
 */
export const CONTEXT_AGGREGATE = 'context';

export const ContextUpdated = z.object({
  type: z.literal('orchestration.context.updated'),
  data: z.object({
    actorId: z.string().min(1).max(128),
    sprintCode: SprintCode.nullable(),
    taskCode: TaskCode.nullable(),
    sessionKey: SessionKey.nullable(),
  }),
});
export type ContextUpdated = z.infer<typeof ContextUpdated>;
export const ContextEvent = z.discriminatedUnion('type', [ContextUpdated]);
export type ContextEvent = z.infer<typeof ContextEvent>;

/** The aggregate id of an actor's context: its id when that is a safe subject token, else a digest of it. */
export function contextAggregateId(actorId: string): string {
  return ID_PATTERN.test(actorId) ? actorId : `h-${createHash('sha256').update(actorId).digest('hex').slice(0, 40)}`;
}
