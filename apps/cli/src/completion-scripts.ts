import type { CompletionNode } from './completion';

// The two shells' scripts, generated from the command tree (`completionTree` in completion.ts).

function nodes(root: CompletionNode): CompletionNode[] {
  return [root, ...root.subcommands.flatMap(nodes)];
}

/** Single-quoted for both shells; names and values here never hold a quote, but be safe anyway. */
const q = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();
const words = (items: string[]) => q(items.join(' '));

/** Shell `case` arms: one per command path, for a helper that echoes the words of that path. */
function arms(root: CompletionNode, pick: (n: CompletionNode) => string[], indent: string): string {
  return nodes(root)
    .map((n) => `${indent}${q(n.path.join(' '))}) echo ${words(pick(n))} ;;`)
    .join('\n');
}

/** The path-and-option pairs whose option takes a value, and the values when it has a fixed set. */
function valued(root: CompletionNode): Array<{ key: string; choices: readonly string[] }> {
  return nodes(root).flatMap((n) => n.options.filter((o) => o.takesValue).flatMap((o) => o.flags.map((f) => ({ key: `${n.path.join(' ')}|${f}`, choices: o.choices }))));
}

/**
 * `orch completion bash`: a bash completion script. It finds the command path in COMP_WORDS
 * (skipping options and the values they take), then offers that command's subcommands, its
 * options (when the word starts with `-`) or an option's fixed values; else the shell's default.
 */
export function bashScript(root: CompletionNode): string {
  const pairs = valued(root);
  return `# bash completion for orch, generated from its command tree by \`orch completion bash\`.
# Load it now:      source <(orch completion bash)
# Or for good:      orch completion bash > ~/.local/share/bash-completion/completions/orch

__orch_subcommands() {
  case "$1" in
${arms(root, (n) => n.subcommands.map((s) => s.path.at(-1)!), '    ')}
  esac
}

__orch_options() {
  case "$1" in
${arms(root, (n) => n.options.flatMap((o) => o.flags), '    ')}
  esac
}

__orch_takes_value() {
  case "$1|$2" in
${pairs.length ? `    ${pairs.map((p) => q(p.key)).join('|')}) return 0 ;;` : ''}
  esac
  return 1
}

__orch_values() {
  case "$1|$2" in
${pairs.filter((p) => p.choices.length).map((p) => `    ${q(p.key)}) echo ${words([...p.choices])} ;;`).join('\n')}
  esac
}

_orch_completion() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" path="" word i
  (( COMP_CWORD > 0 )) && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  for (( i = 1; i < COMP_CWORD; i++ )); do
    word="\${COMP_WORDS[i]}"
    if [[ "$word" == -* ]]; then
      if [[ "$word" != *=* ]] && __orch_takes_value "$path" "$word"; then (( i++ )); fi
      continue
    fi
    if [[ " $(__orch_subcommands "$path") " == *" $word "* ]]; then path="\${path:+$path }$word"; fi
  done
  if [[ "$prev" == -* && $COMP_CWORD -gt 1 ]] && __orch_takes_value "$path" "$prev"; then
    COMPREPLY=( $(compgen -W "$(__orch_values "$path" "$prev")" -- "$cur") )
  elif [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$(__orch_options "$path")" -- "$cur") )
  else
    COMPREPLY=( $(compgen -W "$(__orch_subcommands "$path")" -- "$cur") )
  fi
  return 0
}

complete -o default -F _orch_completion orch
`;
}

/** `name:description` for zsh's _describe (a colon in the name would need escaping; ours have none). */
const described = (name: string, description: string) => q(`${name.replace(/:/g, '\\:')}:${oneLine(description)}`);

/**
 * `orch completion zsh`: a zsh completion function with descriptions. Works from a file named
 * `_orch` on $fpath (the `#compdef` line) or sourced after `compinit`.
 */
export function zshScript(root: CompletionNode): string {
  const pairs = valued(root);
  const subArms = nodes(root)
    .map((n) => `    ${q(n.path.join(' '))}) reply=(${n.subcommands.map((s) => described(s.path.at(-1)!, s.description)).join(' ')}) ;;`)
    .join('\n');
  const optArms = nodes(root)
    .map((n) => `    ${q(n.path.join(' '))}) reply=(${n.options.flatMap((o) => o.flags.map((f) => described(f, o.description))).join(' ')}) ;;`)
    .join('\n');
  const nameArms = nodes(root)
    .map((n) => `    ${q(n.path.join(' '))}) reply=(${n.subcommands.map((s) => q(s.path.at(-1)!)).join(' ')}) ;;`)
    .join('\n');
  return `#compdef orch
# zsh completion for orch, generated from its command tree by \`orch completion zsh\`.
# Load it now:      source <(orch completion zsh)     (after compinit)
# Or for good:      orch completion zsh > "\${fpath[1]}/_orch"

__orch_subcommands() {
  reply=()
  case "$1" in
${subArms}
  esac
}

__orch_subcommand_names() {
  reply=()
  case "$1" in
${nameArms}
  esac
}

__orch_options() {
  reply=()
  case "$1" in
${optArms}
  esac
}

__orch_takes_value() {
  case "$1|$2" in
${pairs.length ? `    ${pairs.map((p) => q(p.key)).join('|')}) return 0 ;;` : ''}
  esac
  return 1
}

__orch_values() {
  reply=()
  case "$1|$2" in
${pairs.filter((p) => p.choices.length).map((p) => `    ${q(p.key)}) reply=(${p.choices.map(q).join(' ')}) ;;`).join('\n')}
  esac
}

_orch() {
  local cmdpath="" word i
  local -a reply candidates
  for (( i = 2; i < CURRENT; i++ )); do
    word="\${words[i]}"
    if [[ "$word" == -* ]]; then
      if [[ "$word" != *=* ]] && __orch_takes_value "$cmdpath" "$word"; then (( i++ )); fi
      continue
    fi
    __orch_subcommand_names "$cmdpath"
    if (( \${reply[(Ie)$word]} )); then cmdpath="\${cmdpath:+$cmdpath }$word"; fi
  done
  local prev="\${words[CURRENT-1]}"
  if (( CURRENT > 2 )) && [[ "$prev" == -* ]] && __orch_takes_value "$cmdpath" "$prev"; then
    __orch_values "$cmdpath" "$prev"
    candidates=("\${reply[@]}")
    (( \${#candidates} )) && compadd -- "\${candidates[@]}"
    return
  fi
  if [[ "\${words[CURRENT]}" == -* ]]; then
    __orch_options "$cmdpath"
    candidates=("\${reply[@]}")
    _describe -t options 'orch option' candidates
  else
    __orch_subcommands "$cmdpath"
    candidates=("\${reply[@]}")
    if (( \${#candidates} )); then _describe -t commands 'orch command' candidates; else _files; fi
  fi
}

if [[ "\${funcstack[1]}" == "_orch" ]]; then
  _orch "$@"
else
  compdef _orch orch
fi
`;
}
