import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { issueField } from './issue-path';

/** `config/orchestration.yaml` (the seeds' `config/orchestration.php` keys). Unknown keys are refused: they are typos. */
export const OrchestrationConfig = z.strictObject({
  workflow: z
    .strictObject({
      allow_phase_skip: z.boolean().default(false),
      allow_user_override: z.boolean().default(true),
      require_artifact_validation: z.boolean().default(true),
      sync_files_on_close: z.boolean().default(true),
      default_template: z.string().default('default'),
    })
    .prefault({}),
  search: z.strictObject({ driver: z.enum(['fulltext', 'pgvector']).default('fulltext'), cache_ttl: z.number().int().min(1).max(7 * 86_400).default(3600) }).prefault({}),
  git: z
    .strictObject({
      enabled: z.boolean().default(true),
      auto_commit: z.boolean().default(false),
      track_commits: z.boolean().default(true),
      commit_message_template: z.string().default('feat({sprint_code}): {task_title} [{task_code}]'),
      /** Self-hosted hosts and their kind (GitHub Enterprise, GitLab), e.g. `git.acme.corp: github`, for pull-request URLs. */
      providers: z
        .record(z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/, 'must be a host name such as git.example.com'), z.enum(['github', 'gitlab'], { message: 'must be github or gitlab' }))
        .default({}),
    })
    .prefault({}),
});
export type OrchestrationConfig = z.infer<typeof OrchestrationConfig>;

export class OrchestrationConfigError extends Error {
  override name = 'OrchestrationConfigError';
}

/** Reads and checks the file; a missing file means the defaults. */
export function loadOrchestrationConfig(file: string): OrchestrationConfig {
  const raw = existsSync(file) ? parse(readFileSync(file, 'utf8')) : {};
  const parsed = OrchestrationConfig.safeParse(raw ?? {});
  if (!parsed.success) {
    const { field, message } = issueField(parsed.error.issues[0]!);
    throw new OrchestrationConfigError(`Invalid ${file}, key "${field}": ${message}`);
  }
  return parsed.data;
}
