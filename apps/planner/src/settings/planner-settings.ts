import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { ConfigError, repoConfigDir } from '@orch/config';
import { RetryPolicy } from '@orch/contracts';
import { zodIssues } from '@orch/errors';

export const PlannerSettings = z.strictObject({
  workflow: z.strictObject({ retry: RetryPolicy }),
  estimates: z.strictObject({ alpha: z.number().gt(0).max(1), minSamples: z.number().int().min(1).max(1000) }),
  plans: z.strictObject({
    costPerHour: z.number().min(0).max(100_000),
    /** Which decomposer turns goals into tasks (see `DECOMPOSERS`); the template planner by default. */
    decomposer: z.string().min(1).max(100).default('template'),
  }),
});
export type PlannerSettings = z.infer<typeof PlannerSettings>;

export const PLANNER_SETTINGS = Symbol('PLANNER_SETTINGS');

/** The repository's `config/` directory (the one holding the plan templates). */
export function configDir(): string {
  return repoConfigDir('plans') ?? resolve('config');
}

export function templatesDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.PLAN_TEMPLATES_DIR || join(configDir(), 'plans');
}

/** Reads `config/planner.yaml` (or PLANNER_CONFIG); a mistake is a ConfigError naming the file and field. */
export function plannerSettingsFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.PLANNER_CONFIG || join(configDir(), 'planner.yaml');
}

export function loadPlannerSettings(env: NodeJS.ProcessEnv = process.env): PlannerSettings {
  const file = plannerSettingsFile(env);
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError([`${file}: ${(error as Error).message.split('\n')[0]}`]);
  }
  const parsed = PlannerSettings.safeParse(raw);
  if (!parsed.success) throw new ConfigError(zodIssues(parsed.error).map((i) => `${file}: ${i.path}: ${i.message}`));
  return parsed.data;
}
