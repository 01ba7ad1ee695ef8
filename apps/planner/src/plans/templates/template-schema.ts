import { z } from 'zod';
import { Capability, TaskPriority, TaskType } from '@orch/contracts';

const Word = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be a lower-case word such as design or unit_tests');

/** A primitive step becomes one task; a compound step (`expand`) is replaced by another method's tasks. */
export const TemplateStep = z
  .strictObject({
    id: Word,
    title: z.string().min(1).max(200).optional(),
    description: z.string().max(4000).optional(),
    type: TaskType.optional(),
    priority: TaskPriority.optional(),
    estimate: z.number().int().min(0).max(100_000).optional(),
    capabilities: z.array(Capability).max(32).optional(),
    dependsOn: z.array(Word).max(100).default([]),
    /** `method` of this template, `template` (its main method) or `template/method`. */
    expand: z.string().regex(/^[a-z][a-z0-9_]{0,39}(\/[a-z][a-z0-9_]{0,39})?$/, 'must be a method, a template, or template/method').optional(),
    /** Parameters for the expanded method; values may use `{placeholders}` of this template. */
    with: z.record(Word, z.string().max(200)).optional(),
  })
  .superRefine((s, ctx) => {
    if (s.expand) {
      for (const field of ['title', 'estimate', 'capabilities', 'type', 'priority', 'description'] as const) {
        if (s[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: `a compound step (expand) takes no ${field}; its method's steps have their own` });
      }
    } else {
      if (s.title === undefined) ctx.addIssue({ code: 'custom', path: ['title'], message: 'a primitive step needs a title (or expand: another method)' });
      if (s.estimate === undefined) ctx.addIssue({ code: 'custom', path: ['estimate'], message: 'a primitive step needs an estimate in minutes' });
      if (s.with !== undefined) ctx.addIssue({ code: 'custom', path: ['with'], message: 'only a compound step (expand) takes parameters' });
    }
  });
export type TemplateStep = z.infer<typeof TemplateStep>;

export const TemplateParam = z.strictObject({
  description: z.string().max(500).optional(),
  required: z.boolean().default(false),
  default: z.string().max(200).optional(),
});

export const TemplateFile = z.strictObject({
  name: Word,
  description: z.string().max(2000).default(''),
  /** Type of the tasks whose steps do not say (default: the template's name). */
  type: TaskType.optional(),
  params: z.record(Word, TemplateParam).default({}),
  main: Word.default('main'),
  methods: z.record(Word, z.strictObject({ description: z.string().max(2000).optional(), steps: z.array(TemplateStep).min(1).max(200) })),
});
export type TemplateFile = z.infer<typeof TemplateFile>;
