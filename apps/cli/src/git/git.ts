import { execFile } from 'node:child_process';

/** What the CLI reads of the local repository (the services never touch one, SPEC §4.1). */
export interface HeadCommit {
  hash: string;
  message: string;
  author: string;
}

export interface RepoState {
  branch: string | null;
  head: string | null;
  modified: string[];
}

function git(args: string[], cwd: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } }, (error, stdout) => resolve(error ? null : stdout));
  });
}

export async function isRepository(cwd: string): Promise<boolean> {
  return (await git(['rev-parse', '--is-inside-work-tree'], cwd))?.trim() === 'true';
}

/** The commit at HEAD, or null outside a repository or before the first commit. */
export async function headCommit(cwd: string): Promise<HeadCommit | null> {
  const out = await git(['log', '-1', '--format=%H%x00%an <%ae>%x00%B'], cwd);
  if (!out) return null;
  const [hash, author, ...message] = out.split('\0');
  if (!hash || !/^[0-9a-f]{7,64}$/.test(hash.trim())) return null;
  return { hash: hash.trim(), author: author ?? '', message: message.join('\0').trim() };
}

/** Files changed since `base` (committed or not, untracked included) and git's one-line summary. */
export async function changesSince(base: string | null, cwd: string): Promise<{ files: string[]; diffSummary: string | null }> {
  const range = base ? [base] : [];
  const names = (await git(['diff', '--name-only', ...range], cwd)) ?? '';
  const untracked = (await git(['ls-files', '--others', '--exclude-standard'], cwd)) ?? '';
  const stat = (await git(['diff', '--shortstat', ...range], cwd))?.trim() || null;
  const files = [...new Set([...names.split('\n'), ...untracked.split('\n')].map((f) => f.trim()).filter(Boolean))].sort();
  return { files, diffSummary: stat };
}

export async function repoState(cwd: string): Promise<RepoState | null> {
  if (!(await isRepository(cwd))) return null;
  const branch = (await git(['rev-parse', '--abbrev-ref', 'HEAD'], cwd))?.trim() || null;
  const head = (await git(['rev-parse', '--short', 'HEAD'], cwd))?.trim() || null;
  const status = (await git(['status', '--porcelain'], cwd)) ?? '';
  return { branch, head, modified: status.split('\n').filter(Boolean).map((l) => l.slice(3)) };
}

/** `git.auto_commit`: commits every change of the working tree with `message`; null when there was nothing to commit. */
export async function commitAll(message: string, cwd: string): Promise<string | null> {
  const status = (await git(['status', '--porcelain'], cwd)) ?? '';
  if (!status.trim()) return null;
  if ((await git(['add', '-A'], cwd)) === null) return null;
  if ((await git(['commit', '-q', '-m', message], cwd)) === null) return null;
  return (await git(['rev-parse', 'HEAD'], cwd))?.trim() ?? null;
}
