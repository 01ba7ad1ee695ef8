import { z } from 'zod';
import { WorkflowId } from '../planning/workflow';
import { SessionKey } from '../sessions/session';

/** What a budget is attached to. */
export const BudgetScope = z.enum(['session', 'workflow']);
export type BudgetScope = z.infer<typeof BudgetScope>;

/** The three things a budget limits. */
export const BudgetDimension = z.enum(['tokens', 'costUsd', 'wallSeconds']);
export type BudgetDimension = z.infer<typeof BudgetDimension>;
export const BUDGET_DIMENSIONS = BudgetDimension.options;

/** The thresholds that are events, each once per dimension. */
export const BudgetThreshold = z.union([z.literal(80), z.literal(100)]);
export type BudgetThreshold = z.infer<typeof BudgetThreshold>;
export const BUDGET_THRESHOLDS: readonly BudgetThreshold[] = [80, 100];

/** `/budgets/:scope/:id`: the id must be of the scope's kind (a session key, a workflow id). */
export const BudgetParams = z
  .strictObject({ scope: BudgetScope, id: z.string().min(1).max(128) })
  .superRefine((p, ctx) => {
    if (!BudgetScope.safeParse(p.scope).success) return; // reported on `scope` already
    const schema = p.scope === 'session' ? SessionKey : WorkflowId;
    const parsed = schema.safeParse(p.id);
    if (!parsed.success) ctx.addIssue({ code: 'custom', path: ['id'], message: `a ${p.scope} id ${parsed.error.issues[0]?.message ?? 'is invalid'}` });
  });
export type BudgetParams = z.infer<typeof BudgetParams>;

const Tokens = z.number().int('must be a whole number of tokens');
const limit = <T extends z.ZodNumber>(n: T, max: number) => n.positive('must be more than 0 (null removes the limit)').max(max).nullable().optional();

/** `PUT /budgets/:scope/:id` replaces the limits: a dimension left out (or null) is not limited. */
export const SetBudgetBody = z
  .strictObject({ tokens: limit(Tokens, 1e12), costUsd: limit(z.number(), 1e9), wallSeconds: limit(z.number(), 1e9) })
  .refine((b) => Object.keys(b).length > 0, { message: 'name at least one of tokens, costUsd, wallSeconds (null removes a limit)', path: ['tokens'] });
export type SetBudgetBody = z.infer<typeof SetBudgetBody>;

/** `POST /budgets/:scope/:id/usage`: what an agent used since its last report (added to the totals). */
export const BudgetUsageBody = z
  .strictObject({
    tokens: Tokens.min(0).max(1e9).optional(),
    costUsd: z.number().min(0).max(1e6).optional(),
    wallSeconds: z.number().min(0).max(1e7).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'report at least one of tokens, costUsd, wallSeconds', path: ['tokens'] });
export type BudgetUsageBody = z.infer<typeof BudgetUsageBody>;

// ---- views ----

export const BudgetDimensionView = z.object({
  limit: z.number().nullable(),
  used: z.number(),
  /** used / limit × 100, one decimal; null without a limit. */
  percent: z.number().nullable(),
  /** Thresholds this dimension has crossed under its current limit (80, 100). */
  thresholdsCrossed: z.array(z.number().int()),
});
export type BudgetDimensionView = z.infer<typeof BudgetDimensionView>;

export const BudgetView = z.object({
  scope: BudgetScope,
  id: z.string(),
  dimensions: z.object({ tokens: BudgetDimensionView, costUsd: BudgetDimensionView, wallSeconds: BudgetDimensionView }),
  /** Dimensions at or over their limit. */
  exceeded: z.array(BudgetDimension),
  version: z.number().int(),
});
export type BudgetView = z.infer<typeof BudgetView>;

/** A usage report's answer: the budget after it, and the thresholds this very report crossed. */
export const BudgetUsageReply = BudgetView.extend({
  crossed: z.array(z.object({ dimension: BudgetDimension, percent: z.number().int() })),
});
export type BudgetUsageReply = z.infer<typeof BudgetUsageReply>;
