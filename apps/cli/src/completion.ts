import { Argument, type Command, type Option } from 'commander';
import { bashScript, zshScript } from './completion-scripts';
import { choicesOf, examples, type CommandContext } from './commands/context';

export { bashScript, zshScript } from './completion-scripts';

/** One option as completion sees it: its spellings, whether a value follows, and the values it takes. */
export interface CompletionOption {
  flags: string[];
  description: string;
  takesValue: boolean;
  choices: readonly string[];
}

/** One command of the tree: its path from the root (`['task', 'list']`), subcommands and options. */
export interface CompletionNode {
  path: string[];
  description: string;
  subcommands: CompletionNode[];
  options: CompletionOption[];
}

const hidden = (c: Command) => (c as unknown as { _hidden?: boolean })._hidden === true;

function optionOf(o: Option): CompletionOption {
  return {
    flags: [o.long, o.short].filter((f): f is string => Boolean(f)),
    description: o.description,
    takesValue: o.required || o.optional,
    choices: o.argChoices ?? choicesOf(o.parseArg),
  };
}

const HELP: CompletionOption = { flags: ['--help', '-h'], description: 'show help', takesValue: false, choices: [] };

/**
 * The command tree, read from commander itself, so completion can never offer a command or an
 * option that does not exist. The root's options (--url, --api-key, --no-color) are accepted
 * after any subcommand too, so every node lists them.
 */
export function completionTree(program: Command): CompletionNode {
  const globals = program.options.filter((o) => !o.hidden).map(optionOf);
  const walk = (cmd: Command, path: string[]): CompletionNode => ({
    path,
    description: cmd.description(),
    subcommands: cmd.commands.filter((c) => !hidden(c)).map((c) => walk(c, [...path, c.name()])),
    options: [...(path.length ? cmd.options.filter((o) => !o.hidden).map(optionOf) : []), ...globals, HELP],
  });
  return walk(program, []);
}

/** `orch completion bash|zsh`: prints the script; the tree is read when it runs, so it is always current. */
export function completionCommand(program: Command, ctx: CommandContext): void {
  examples(
    program
      .command('completion')
      .description('print a shell completion script (commands, subcommands, options and their values)')
      .addArgument(new Argument('<shell>', 'bash or zsh').choices(['bash', 'zsh'])),
    'orch completion bash > ~/.local/share/bash-completion/completions/orch',
    'orch completion zsh > "${fpath[1]}/_orch"',
  ).action((shell: 'bash' | 'zsh') => {
    const tree = completionTree(program);
    ctx.io.stdout.write(shell === 'bash' ? bashScript(tree) : zshScript(tree));
  });
}
