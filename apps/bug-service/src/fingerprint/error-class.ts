/** What an error is called when nothing names its class. */
export const DEFAULT_ERROR_CLASS = 'Error';

// "TypeError: ...", "django.db.utils.IntegrityError: ...", "Illuminate\Database\QueryException: ..."
const LEADING_CLASS = /^(?:Uncaught\s+)?(?<cls>(?:[A-Za-z_$][\w$]*[.\\])*(?:[A-Z][\w$]*)?(?:Error|Exception|Warning|Fault|Failure|Interrupt|Exit))(?:\s*\[[^\]]*\])?\s*(?::|$)/;
// "PHP Fatal error:  Uncaught TypeError: ...", "PHP Parse error: syntax error, ..."
const PHP = /^(?:PHP\s+)?(?<level>Fatal error|Parse error|Warning|Notice|Deprecated):\s+(?:Uncaught\s+(?<cls>[\w\\]+)(?::|\s))?/i;
// "src/a.ts(3,7): error TS2339: ..." or "error TS2339: ..."
const TSC = /\berror\s+(?<code>TS\d{4,5}):/;
// node-postgres "error: relation ... does not exist", psql "ERROR:  column ..."
const PG = /^(?:error|ERROR|FATAL|PANIC):\s+/;

/**
 * The error class and the message without it. An explicit class (the `errorType` argument) wins;
 * otherwise the class is read from the message, then from the last line of a Python traceback.
 */
export function extractErrorClass(line: string, errorType?: string | null, stack?: string | null): { errorClass: string; rest: string } {
  const explicit = errorType?.trim();
  const lead = LEADING_CLASS.exec(line);
  if (lead?.groups) {
    const rest = line.slice(lead[0].length).trim();
    return { errorClass: explicit || shortName(lead.groups.cls!), rest };
  }
  const php = PHP.exec(line);
  if (php?.groups) {
    const cls = php.groups.cls ? shortName(php.groups.cls) : php.groups.level!.toLowerCase().startsWith('parse') ? 'ParseError' : 'PHPError';
    return { errorClass: explicit || cls, rest: line.slice(php[0].length).trim() };
  }
  const tsc = TSC.exec(line);
  if (tsc) return { errorClass: explicit || 'TypeScriptError', rest: line.slice(tsc.index).trim() };
  if (PG.test(line)) return { errorClass: explicit || 'DatabaseError', rest: line.replace(PG, '').trim() };
  return { errorClass: explicit || fromTraceback(stack) || DEFAULT_ERROR_CLASS, rest: line };
}

/** Python prints the class on the traceback's last line: `KeyError: 'x'`. */
function fromTraceback(stack?: string | null): string | null {
  if (!stack || !stack.includes('Traceback (most recent call last)')) return null;
  const last = stack.trim().split('\n').reverse().find((l) => /^[A-Za-z_][\w.]*(?::|$)/.test(l.trim()));
  const m = last ? /^(?<cls>[A-Za-z_][\w.]*)/.exec(last.trim()) : null;
  return m?.groups ? shortName(m.groups.cls!) : null;
}

/** `django.db.utils.IntegrityError` → `IntegrityError`: the module path varies with the install. */
function shortName(cls: string): string {
  return cls.split(/[.\\]/).pop() || cls;
}
