/**
 * Turns the first line of an error message into a template, so that the same bug with other data
 * (ids, times, paths, values) gets the same fingerprint, while what tells bugs apart stays.
 *
 * Why this order: each rule must run before any rule that would eat part of what it matches.
 * Codes that tell bugs apart (HTTP status, exit codes, signals, errno, TS2339, SQLSTATE, ports after
 * a host) are set aside first, so no number rule touches them. Emails come before urls (`mailto:`,
 * `user@host`), urls before uuids and hashes (which appear in urls), uuids before long hex hashes
 * (a uuid is hex with dashes), dates and times before durations and numbers (`2024-01-02` would
 * otherwise be three integers), ip addresses before floats (`10.0.0.1` is not two floats), hex
 * addresses before integers (`0x1f`), floats before integers (`1.5` is not two integers), digits
 * inside identifiers with the integers, and quoted values last, so that a quote's content has been
 * parameterised already when we decide whether it is data or a name.
 */
const KEPT = '\uE000';
const keep = (i: number) => `${KEPT}${String.fromCharCode(0xe100 + i)}${KEPT}`;

/** Ports that name a service; after any host they stay (`:5432` ≠ `:6379`). */
export const WELL_KNOWN_PORTS = new Set([21, 22, 25, 53, 80, 110, 143, 443, 465, 587, 993, 1433, 1521, 2375, 2376, 3000, 3306, 4222, 5000, 5432, 5672, 6379, 6443, 8000, 8080, 8222, 8443, 9000, 9092, 9200, 11211, 15672, 27017]);

/** Patterns whose numbers (group `n`) tell bugs apart; they are protected from every later rule. */
export const KEEP_RULES: Array<{ name: string; re: RegExp; wellKnownOnly?: boolean }> = [
  { name: 'ts-code', re: /\b(?<n>TS\d{4,5})\b/g },
  { name: 'sqlstate', re: /\b(?:SQLSTATE|sqlstate|code)\b[\s:=[('"]*(?<n>(?=[0-9A-Z]{5}\b)[0-9A-Z]*\d[0-9A-Z]*)\b/g },
  { name: 'http-status', re: /\b(?:status(?: code)?|HTTP(?:\/\d(?:\.\d)?)?|statusCode|response code)\b[\s:="']*(?<n>[1-5]\d\d)\b/gi },
  { name: 'http-reason', re: /\b(?<n>[1-5]\d\d)(?= (?:Bad Request|Unauthorized|Forbidden|Not Found|Method Not Allowed|Conflict|Gone|Unprocessable|Too Many Requests|Internal Server Error|Bad Gateway|Service Unavailable|Gateway Time-?out))/gi },
  { name: 'exit-code', re: /\b(?:exit(?:ed)?(?: with)?(?: status| code)?|exit status|return(?:ed)? (?:code|non-zero exit status)|status)\b[\s:=]*(?<n>\d{1,3})\b/gi },
  { name: 'signal', re: /\bsignal\b[\s:=]*(?<n>\d{1,2})\b/gi },
  { name: 'errno', re: /\berrno\b[\s:=]*(?<n>-?\d{1,4})\b/gi },
  { name: 'host-port', re: /(?<=(?:\b\d{1,3}(?:\.\d{1,3}){3}|\blocalhost|\]|::)):(?<n>\d{1,5})\b/g },
  { name: 'well-known-port', re: /(?<=[A-Za-z0-9-]):(?<n>\d{2,5})\b(?![:.]\d)/g, wellKnownOnly: true },
  // Python's socket errors print `('127.0.0.1', 6379)`.
  { name: 'address-tuple-port', re: /(?<=['"], )(?<n>\d{2,5})(?=\))/g, wellKnownOnly: true },
];

export const PARAMETER_RULES: Array<{ name: string; re: RegExp; to: string }> = [
  { name: 'email', re: /[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g, to: '<email>' },
  { name: 'url', re: /\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>`)\]]+/gi, to: '<url>' },
  { name: 'uuid', re: /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, to: '<uuid>' },
  { name: 'hash', re: /\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{16,}\b/gi, to: '<hash>' },
  { name: 'datetime', re: /\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b/g, to: '<date>' },
  { name: 'time', re: /\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b/g, to: '<time>' },
  { name: 'duration', re: /\b\d+(?:\.\d+)?\s?(?:ms|µs|us|ns|s|sec|secs|seconds?|min|mins|minutes?|h|hours?)\b/g, to: '<duration>' },
  { name: 'ip', re: /\b\d{1,3}(?:\.\d{1,3}){3}\b|\[?(?:[0-9a-f]{1,4}:){2,7}[0-9a-f]{1,4}\]?|(?<![\w:])::1\b/gi, to: '<ip>' },
  { name: 'hex-address', re: /\b0x[0-9a-f]+\b/gi, to: '<hex>' },
  { name: 'float', re: /(?<![\w.#-])-?\d+\.\d+(?![\w.])/g, to: '<float>' },
  { name: 'identifier-digits', re: /(?<=[A-Za-z0-9][_-])\d{2,}(?!\w)|(?<=[A-Za-z])\d{4,}/g, to: '#' },
  { name: 'numbered', re: /(?<=#)\d{2,}(?!\w)/g, to: '<int>' },
  { name: 'integer', re: /(?<![\w#-])-?\d+(?!\w)|(?<=\s)-\d+(?!\w)/g, to: '<int>' },
];

/** Words after which an identifier-like quoted value is a name that tells bugs apart. */
const NAME_WORDS = /\b(?:reading|setting|module|modules|named|column|relation|table|constraint|index|property|attribute|key|name|field|type|function|method|class|interface|variable|schema|database|role|package|command|option|argument|parameter|import|export|member|enum|collection|extension|sequence|trigger|view|identifier|symbol|service|provider|event|route|file)\s*$/i;
const IDENTIFIER_LIKE = /^[A-Za-z_$@.\/][\w$@.\/:#\\-]{0,119}$/;
const QUOTED = /(["'`])((?:(?!\1).){0,400}?)\1/g;

/** Applies the quoted-value rule: data becomes `<str>`, names after NAME_WORDS stay. */
export function parameteriseQuoted(line: string): string {
  return line.replace(QUOTED, (whole: string, q: string, inner: string, at: number) => {
    const before = line.slice(0, at);
    const after = line.slice(at + whole.length);
    if (inner.includes(KEPT)) return whole;
    const identifier = IDENTIFIER_LIKE.test(inner);
    if (identifier && NAME_WORDS.test(before)) return whole;
    const afterEquals = /=\s*\(?$/.test(before);
    const atEnd = /^[\s.,;:!)\]]*$/.test(after);
    if (afterEquals || atEnd || !identifier) return `${q}<str>${q}`;
    return whole;
  });
}

/** The template of one message line (see the comment at the top for the order of rules). */
export function parameterise(line: string): string {
  const kept: string[] = [];
  let out = line;
  for (const { re, wellKnownOnly } of KEEP_RULES) {
    out = out.replace(re, (whole: string, ...args: unknown[]) => {
      const groups = args[args.length - 1] as { n: string };
      const port = whole.startsWith(':') && !whole.includes(' ');
      if (wellKnownOnly && !WELL_KNOWN_PORTS.has(Number(groups.n))) return whole;
      kept.push(groups.n);
      return port ? `:${keep(kept.length - 1)}` : whole.replace(new RegExp(`${escape(groups.n)}$`), keep(kept.length - 1));
    });
  }
  for (const { re, to } of PARAMETER_RULES) out = out.replace(re, to);
  out = parameteriseQuoted(out);
  return out.replace(new RegExp(`${KEPT}(.)${KEPT}`, 'g'), (_m, c: string) => kept[c.charCodeAt(0) - 0xe100] ?? '');
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
