import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskStatus } from '@orch/contracts';
import { buildProgram, runCli } from './cli';
import { bashScript, completionTree, zshScript } from './completion';

const DIR = mkdtempSync(join(tmpdir(), 'orch-completion-'));
const { program } = buildProgram({ io: { stdout: { write: () => true }, stderr: { write: () => true } }, env: {} });
const tree = completionTree(program);

async function orch(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { io: { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } }, env: {} });
  return { code, stdout, stderr };
}

/** Sources the script in a real bash and asks it to complete `words` (the last one being typed). */
function bashComplete(script: string, ...words: string[]): string[] {
  const file = join(DIR, 'orch.bash');
  writeFileSync(file, script);
  const array = words.map((w) => `'${w}'`).join(' ');
  const out = execFileSync('bash', ['-c', `source "$1"; COMP_WORDS=(${array}); COMP_CWORD=${words.length - 1}; _orch_completion; printf '%s\\n' "\${COMPREPLY[@]}"`, 'bash', file], { encoding: 'utf8' });
  return out.split('\n').filter(Boolean).sort();
}

const hasZsh = spawnSync('zsh', ['-c', 'exit 0']).status === 0;

describe('orch completion bash', () => {
  let script: string;
  beforeAll(async () => {
    const r = await orch('completion', 'bash');
    expect(r.code).toBe(0);
    script = r.stdout;
  });

  it('completes `orch se` to the session commands', () => {
    expect(bashComplete(script, 'orch', 'se')).toEqual(['session-end', 'session-resume', 'session-start']);
  });

  it('offers every top-level command after `orch `', () => {
    expect(bashComplete(script, 'orch', '')).toEqual(program.commands.map((c) => c.name()).sort());
  });

  it('offers the subcommands of a group, skipping global options and their values', () => {
    expect(bashComplete(script, 'orch', 'task', '')).toEqual(['create', 'get', 'list', 'next', 'update']);
    expect(bashComplete(script, 'orch', '--url', 'http://127.0.0.1:3000', 'task', 'cr')).toEqual(['create']);
    expect(bashComplete(script, 'orch', 'agents', 're')).toEqual(['register']);
  });

  it("offers a command's options, and the values of an option that has a fixed set", () => {
    expect(bashComplete(script, 'orch', 'task', 'list', '--st')).toEqual(['--status']);
    expect(bashComplete(script, 'orch', 'task', 'list', '--status', '')).toEqual([...TaskStatus.options].sort());
    expect(bashComplete(script, 'orch', 'task', 'list', '--status', 'IN', '--a')).toEqual(['--after', '--api-key', '--assignee']);
    expect(bashComplete(script, 'orch', 'context-search', 'x', '--scope', 'p')).toEqual(['project']);
  });

  it('is made from the command tree: a new command is offered without touching the script generator', () => {
    const { program: extended } = buildProgram({ io: { stdout: { write: () => true }, stderr: { write: () => true } }, env: {} });
    extended.command('sessions').description('a command added later').command('export').option('--since <when>', 'from when');
    const script2 = bashScript(completionTree(extended));
    expect(bashComplete(script2, 'orch', 'se')).toEqual(['session-end', 'session-resume', 'session-start', 'sessions']);
    expect(bashComplete(script2, 'orch', 'sessions', '')).toEqual(['export']);
    expect(bashComplete(script2, 'orch', 'sessions', 'export', '--si')).toEqual(['--since']);
  });

  it('refuses a shell it does not support (exit 2)', async () => {
    const r = await orch('completion', 'fish');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bash, zsh/);
  });
});

describe('orch completion zsh', () => {
  let script: string;
  let file: string;
  beforeAll(async () => {
    const r = await orch('completion', 'zsh');
    expect(r.code).toBe(0);
    script = r.stdout;
    file = join(DIR, '_orch');
    writeFileSync(file, script);
  });

  it('starts with #compdef and holds every command with its description', () => {
    expect(script.startsWith('#compdef orch\n')).toBe(true);
    expect(script).toContain(`'session-start:${program.commands.find((c) => c.name() === 'session-start')!.description()}'`);
    expect(zshScript(tree)).toBe(script);
  });

  // zsh is not on every machine; without it these two cannot run, and say so in their names.
  const withZsh = hasZsh ? it : it.skip;
  withZsh(`is valid zsh (zsh -n)${hasZsh ? '' : ' [SKIPPED: zsh is not installed on this machine]'}`, () => {
    const r = spawnSync('zsh', ['-n', file], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  withZsh(`completes \`orch se\` and \`orch task list --status \` in a real zsh${hasZsh ? '' : ' [SKIPPED: zsh is not installed on this machine]'}`, () => {
    // compsys itself needs a terminal; stand-ins for _describe and compadd print what they are given.
    const complete = (...words: string[]) =>
      execFileSync(
        'zsh',
        ['-c', `compdef() {}; source "$1"; _describe() { print -l -- "\${(@P)\${@[-1]}}" }; compadd() { shift; print -l -- "$@" }; _files() {}; words=(${words.map((w) => `'${w}'`).join(' ')}); CURRENT=${words.length}; _orch`, 'zsh', file],
        { encoding: 'utf8' },
      )
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(':')[0]!.replace(/\\$/, ''));
    expect(complete('orch', 'se').filter((n) => n.startsWith('se'))).toEqual(['session-start', 'session-resume', 'session-end']);
    expect(complete('orch', 'task', 'list', '--status', '')).toEqual([...TaskStatus.options]);
    expect(complete('orch', 'task', '')).toEqual(['create', 'list', 'get', 'next', 'update']);
  });
});
