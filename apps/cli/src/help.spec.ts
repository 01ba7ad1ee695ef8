import { Command } from 'commander';
import { buildProgram, runCli } from './cli';
import { examples, examplesOf } from './commands/context';

const quiet = { io: { stdout: { write: () => true }, stderr: { write: () => true } }, env: {} };

/** Splits a command line as a shell would (quotes, no expansion); stops at a redirection. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  for (const m of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) {
    if (m[3] === '>' || m[3] === '|') break;
    words.push(m[1] ?? m[2] ?? m[3]!);
  }
  return words;
}

function walk(cmd: Command, path: string[] = []): Array<{ cmd: Command; path: string[] }> {
  return [{ cmd, path }, ...cmd.commands.flatMap((c) => walk(c, [...path, c.name()]))];
}

/** What is wrong with the help of a command tree: a command without a description or examples, an example that is not a command line of that command. */
function helpProblems(program: Command): string[] {
  const problems: string[] = [];
  for (const { cmd, path } of walk(program)) {
    const name = ['orch', ...path].join(' ');
    if (!cmd.description().trim()) problems.push(`${name}: no description`);
    const lines = examplesOf(cmd);
    if (lines.length === 0) problems.push(`${name}: no examples`);
    if (lines.length > 4) problems.push(`${name}: ${lines.length} examples (keep it to a few)`);
    for (const line of lines) {
      const words = shellWords(line);
      if (words.slice(0, path.length + 1).join(' ') !== name) {
        problems.push(`${name}: example "${line}" does not start with "${name}"`);
        continue;
      }
      // The command the example runs: this one, or (for a group like `orch task`) one of its subcommands.
      let target = cmd;
      let at = path.length + 1;
      for (let sub = target.commands.find((c) => c.name() === words[at]); sub; sub = target.commands.find((c) => c.name() === words[at])) [target, at] = [sub, at + 1];
      const known = new Set(['--help', '-h']);
      for (let c: Command | null = target; c; c = c.parent) for (const o of c.options) [o.long, o.short].forEach((f) => f && known.add(f));
      for (const w of words.slice(at).filter((x) => /^--?[a-z]/i.test(x))) {
        if (!known.has(w.split('=')[0]!)) problems.push(`${name}: example "${line}" uses ${w}, which ${['orch', ...words.slice(1, at)].join(' ')} does not have`);
      }
    }
  }
  return problems;
}

describe('orch --help', () => {
  const { program } = buildProgram(quiet);

  it('gives every command a description and a few examples that use only its own options', () => {
    expect(walk(program).length).toBeGreaterThan(50);
    expect(helpProblems(program)).toEqual([]);
  });

  it('finds a command without examples, one without a description and a bad example', () => {
    const fixture = new Command('orch').description('root');
    examples(fixture, 'orch thing go');
    const thing = examples(fixture.command('thing').description('a thing'), 'orch thing --loud', 'orch other go');
    thing.command('go');
    expect(helpProblems(fixture)).toEqual([
      'orch thing: example "orch thing --loud" uses --loud, which orch thing does not have',
      'orch thing: example "orch other go" does not start with "orch thing"',
      'orch thing go: no description',
      'orch thing go: no examples',
    ]);
  });

  it('lists every command with its description, examples and the exit codes', async () => {
    let out = '';
    const code = await runCli(['--help'], { io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => true } }, env: {} });
    expect(code).toBe(0);
    for (const cmd of program.commands) expect(out).toMatch(new RegExp(`^  ${cmd.name()}\\b.*\\s${escape(cmd.description().slice(0, 20))}`, 'm'));
    expect(out).toContain('Examples:\n  $ orch task list --sprint SPR-001');
    expect(out).toMatch(/Exit codes:\n {2}0 {2}done\n {2}1 .*\n {2}2 .*\n {2}3 .*gate.*\n {2}4 .*conflict/);
  });

  it.each(walk(buildProgram(quiet).program).filter((c) => c.path.length > 0).map((c) => [c.path.join(' '), c.path] as const))('orch %s --help shows its examples', async (_name, path) => {
    let out = '';
    const code = await runCli([...path, '--help'], { io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => true } }, env: {} });
    expect(code).toBe(0);
    const cmd = walk(program).find((c) => c.path.join(' ') === path.join(' '))!.cmd;
    expect(out).toContain(`Examples:\n  $ ${examplesOf(cmd)[0]}`);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
