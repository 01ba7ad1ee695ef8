import { z } from 'zod';

/**
 * Aggregate ids become the last token of a NATS subject (`orch.evt.<type>.<id>`), so they must
 * never contain `.`, `*`, `>` or whitespace. An allow-list is stricter than that deny-list and
 * also keeps ids safe in URLs, file names and log lines.
 */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export const AggregateId = z
  .string()
  .regex(ID_PATTERN, 'must be 1-128 letters, digits, "_" or "-" (no ".", "*", ">", spaces), starting with a letter or digit');
export type AggregateId = z.infer<typeof AggregateId>;

/** Aggregate type names are subject tokens too: lower-case words joined by "_" or "-". */
export const AggregateType = z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, 'must be a lower-case word');
export type AggregateType = z.infer<typeof AggregateType>;

export const SprintCode = z
  .string()
  .regex(/^SPR-[A-Za-z0-9_-]{1,60}$/, 'must look like SPR-001 (SPR- then letters, digits, "_" or "-")');
export type SprintCode = z.infer<typeof SprintCode>;

export const TaskCode = z
  .string()
  .regex(/^TSK-[A-Za-z0-9_-]{1,60}$/, 'must look like TSK-001 (TSK- then letters, digits, "_" or "-")');
export type TaskCode = z.infer<typeof TaskCode>;

export const Uuid = z.uuid();
