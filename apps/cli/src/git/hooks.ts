import { ok, type GatewayClient } from '../client';
import { changesSince, commitAll, headCommit, isRepository } from './git';

export interface GitSettings {
  enabled: boolean;
  trackCommits: boolean;
  autoCommit: boolean;
  commitMessage: string;
}

/**
 * Runs a phase's template hooks in the local repository and records what they find on the
 * session: the commit at EXECUTE's start and end, the diff summary at REVIEW. Outside a git
 * repository they do nothing (and say so), because a session is not always about code.
 */
export async function runHooks(hooks: string[], opts: { client: GatewayClient; sessionKey: string; phase: string; cwd: string; baseCommit: string | null; git?: GitSettings }): Promise<string[]> {
  const done: string[] = [];
  if (!hooks.some((h) => h.startsWith('git.'))) return done;
  if (opts.git && !opts.git.enabled) return ['git hooks skipped (git.enabled is off)'];
  if (!(await isRepository(opts.cwd))) return ['not a git repository: git hooks skipped'];
  const path = { path: { key: opts.sessionKey } };
  for (const hook of hooks) {
    if (hook === 'git.capture_commit_hash' || hook === 'git.capture_final_commit') {
      if (hook === 'git.capture_final_commit' && opts.git?.autoCommit) {
        const made = await commitAll(opts.git.commitMessage, opts.cwd);
        if (made) done.push(`git.auto_commit: ${made.slice(0, 7)} ${opts.git.commitMessage}`);
      }
      if (opts.git && !opts.git.trackCommits) continue;
      const head = await headCommit(opts.cwd);
      if (!head) {
        done.push(`${hook}: no commit yet`);
        continue;
      }
      const body = { hash: head.hash, message: head.message.slice(0, 10_000), author: head.author.slice(0, 500) || 'unknown', phase: opts.phase };
      await ok(opts.client.api.POST('/api/v1/sessions/{key}/commits', { params: path, body }));
      done.push(`${hook}: ${head.hash.slice(0, 7)}`);
    } else if (hook === 'git.diff_summary') {
      const changes = await changesSince(opts.baseCommit, opts.cwd);
      await ok(opts.client.api.POST('/api/v1/sessions/{key}/changes', { params: path, body: { files: changes.files.slice(0, 5_000), diffSummary: changes.diffSummary } }));
      done.push(`${hook}: ${changes.files.length} files${changes.diffSummary ? `, ${changes.diffSummary}` : ''}`);
    }
  }
  return done;
}

/**
 * `files.sync` (CLOSE's end hook, when `workflow.sync_files_on_close`): writes the session's
 * artifacts that have content into `.orch/<TASK>/` of the working tree, so they can be committed.
 */
export async function syncArtifacts(opts: { client: GatewayClient; sessionKey: string; taskCode: string; artifacts: Array<{ name: string; hasContent: boolean }>; cwd: string }): Promise<string[]> {
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const dir = join(opts.cwd, '.orch', opts.taskCode);
  const written: string[] = [];
  for (const a of opts.artifacts.filter((x) => x.hasContent)) {
    const body = await ok(opts.client.api.GET('/api/v1/sessions/{key}/artifacts/{name}', { params: { path: { key: opts.sessionKey, name: a.name } } }));
    if (body.content === null || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(body.name)) continue;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, body.name), body.content);
    written.push(join('.orch', opts.taskCode, body.name));
  }
  return written.length ? [`files.sync: wrote ${written.join(', ')}`] : [];
}
