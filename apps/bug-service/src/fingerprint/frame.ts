/** A stack frame as it enters the fingerprint: a function name and a project-relative path. */
export interface Frame {
  fn: string;
  path: string;
  line: number | null;
}

/** Frames that are not the project's code: dependencies, the runtime, the interpreter. */
const FOREIGN = /(?:^|[\\/])(?:node_modules|site-packages|dist-packages|vendor)[\\/]|^node:|^internal[\\/]|<anonymous>|^native$|^\/usr\/lib\/python|^<frozen /;

// V8: "    at fn (/a/b.ts:1:2)", "    at /a/b.ts:1:2", "    at async fn (file:///a/b.js:1:2)"
const V8 = /^\s*at\s+(?:async\s+)?(?:(?<fn>[^\s(][^(]*?)\s+\()?(?<path>[^()\s]+?):(?<line>\d+)(?::\d+)?\)?\s*$/;
// Python: '  File "/a/b.py", line 12, in handler'
const PYTHON = /^\s*File "(?<path>[^"]+)", line (?<line>\d+), in (?<fn>\S+)/;
// PHP: "#0 /var/www/src/Foo.php(42): App\Foo->bar()"
const PHP = /^#\d+\s+(?<path>[^(\s]+)\((?<line>\d+)\):\s+(?<fn>[^(\s]+)/;

/** Every frame we can read, innermost (the throwing call) first. */
export function parseFrames(stack: string): Frame[] {
  const frames: Frame[] = [];
  const python: Frame[] = [];
  for (const raw of stack.split('\n')) {
    const py = PYTHON.exec(raw);
    if (py?.groups) {
      python.push({ fn: py.groups.fn!, path: py.groups.path!, line: Number(py.groups.line) });
      continue;
    }
    const m = V8.exec(raw) ?? PHP.exec(raw);
    if (m?.groups) frames.push({ fn: m.groups.fn?.trim() ?? '', path: m.groups.path!, line: Number(m.groups.line) });
  }
  // Python prints the most recent call last.
  return [...python.reverse(), ...frames];
}

/**
 * A path as it enters the hash: relative to the project root when inside it, `file://` and
 * worktree prefixes removed otherwise, so that the same code in two checkouts groups.
 */
export function relativePath(path: string, projectRoot?: string | null): string {
  let p = path.replace(/^file:\/\//, '').replace(/\\/g, '/');
  const root = projectRoot?.replace(/\\/g, '/').replace(/\/+$/, '');
  if (root && (p === root || p.startsWith(`${root}/`))) return p.slice(root.length + 1);
  if (!p.startsWith('/') && !/^[A-Za-z]:\//.test(p)) return p.replace(/^\.\//, '');
  const anchor = /\/(?:src|apps|libs|lib|app|tests?|packages|scripts)\//.exec(p);
  if (anchor) return p.slice(anchor.index + 1);
  p = p.split('/').pop() ?? p;
  return p;
}

/** True when a frame is the project's own code. */
export function inProject(frame: Frame, projectRoot?: string | null): boolean {
  const p = frame.path.replace(/^file:\/\//, '');
  if (FOREIGN.test(p)) return false;
  const root = projectRoot?.replace(/\/+$/, '');
  if (root && p.startsWith('/') && !p.startsWith(`${root}/`)) return false;
  return true;
}

/** The first in-project frame of a stack, or the `file` argument when there is none. */
export function firstProjectFrame(stack: string | null | undefined, file: string | null | undefined, projectRoot?: string | null): Frame | null {
  const frame = stack ? parseFrames(stack).find((f) => inProject(f, projectRoot)) : undefined;
  if (frame) return { fn: normaliseFn(frame.fn), path: relativePath(frame.path, projectRoot), line: frame.line };
  if (file && file.trim()) return { fn: '', path: relativePath(file.trim(), projectRoot), line: null };
  return null;
}

/** `Object.<anonymous>`, `async fn`, `new Foo` and `fn [as alias]` name the same code. */
function normaliseFn(fn: string): string {
  return fn.replace(/^(?:async|new)\s+/, '').replace(/\s*\[as [^\]]+\]$/, '').replace(/^Object\.<anonymous>$/, '');
}
