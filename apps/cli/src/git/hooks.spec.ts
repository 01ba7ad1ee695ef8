import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayClient } from '../client';
import { runHooks } from './hooks';

/** The template hooks against a real temporary git repository and a local HTTP server as the gateway. */
describe('phase hooks in a git repository', () => {
  let repo: string;
  let server: Server;
  let client: GatewayClient;
  const posted: Array<{ url: string; body: any }> = [];
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
  const settings = { enabled: true, trackCommits: true, autoCommit: false, commitMessage: 'feat(SPR-1): Greet [TSK-1]' };
  const run = (hooks: string[], over: object = {}, baseCommit: string | null = null) => runHooks(hooks, { client, sessionKey: 'sess_TSK-1_20260101_000000', phase: 'EXECUTE', cwd: repo, baseCommit, git: { ...settings, ...over } });

  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        posted.push({ url: req.url!, body: JSON.parse(raw) });
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    client = new GatewayClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  });
  afterAll(() => new Promise((r) => server.close(r)));
  beforeEach(() => {
    posted.length = 0;
    repo = mkdtempSync(join(tmpdir(), 'orch-hooks-'));
    git('init', '-q', '-b', 'main');
    git('config', 'user.name', 'Ann');
    git('config', 'user.email', 'ann@example.com');
    writeFileSync(join(repo, 'a.txt'), 'a\n');
    git('add', '.');
    git('commit', '-q', '-m', 'first');
  });

  it('records the commit at HEAD with its author and phase', async () => {
    expect(await run(['git.capture_commit_hash'])).toEqual([`git.capture_commit_hash: ${git('rev-parse', '--short=7', 'HEAD')}`]);
    expect(posted).toEqual([{ url: '/api/v1/sessions/sess_TSK-1_20260101_000000/commits', body: { hash: git('rev-parse', 'HEAD'), message: 'first', author: 'Ann <ann@example.com>', phase: 'EXECUTE' } }]);
  });

  it('auto-commits the working tree with the configured message when git.auto_commit is on', async () => {
    writeFileSync(join(repo, 'b.txt'), 'b\n');
    await run(['git.capture_final_commit'], { autoCommit: true });
    expect(git('log', '-1', '--format=%s')).toBe('feat(SPR-1): Greet [TSK-1]');
    expect(posted[0]!.body).toMatchObject({ hash: git('rev-parse', 'HEAD'), message: 'feat(SPR-1): Greet [TSK-1]' });
  });

  it('records the files and the diff summary since the base commit', async () => {
    const base = git('rev-parse', 'HEAD');
    writeFileSync(join(repo, 'a.txt'), 'a\nmore\n');
    writeFileSync(join(repo, 'new.txt'), 'n\n');
    await run(['git.diff_summary'], {}, base);
    expect(posted[0]).toMatchObject({ url: '/api/v1/sessions/sess_TSK-1_20260101_000000/changes', body: { files: ['a.txt', 'new.txt'], diffSummary: '1 file changed, 1 insertion(+)' } });
  });

  it('does nothing when git is off, or commits are not tracked, or outside a repository', async () => {
    expect(await run(['git.capture_commit_hash'], { enabled: false })).toEqual(['git hooks skipped (git.enabled is off)']);
    expect(await run(['git.capture_commit_hash'], { trackCommits: false })).toEqual([]);
    expect(await runHooks(['git.capture_commit_hash'], { client, sessionKey: 'sess_TSK-1_20260101_000000', phase: 'EXECUTE', cwd: tmpdir(), baseCommit: null })).toEqual(['not a git repository: git hooks skipped']);
    expect(posted).toEqual([]);
  });
});
