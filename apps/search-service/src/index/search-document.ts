/**
 * The text of one event as the full-text index sees it, in four weights: the event type's words
 * (A) above headline fields such as titles and messages (B), above every other payload string
 * (C), above identifiers (D). Postgres turns each part into a weighted tsvector.
 */
export interface SearchDocument {
  type: string;
  head: string;
  body: string;
  ids: string;
}

/** Fields people write and read first: a match there says more than one in a stack trace. */
const HEAD_KEYS = new Set(['title', 'message', 'text', 'note', 'summary', 'reason', 'name', 'goal', 'template', 'errorClass', 'description']);
/**
 * The scope ids every session event carries are columns of the row (scopes search by them), so
 * indexing them again would only give every row the same few lexemes (`sess`, `tsk`), which
 * costs GIN maintenance on each insert and finds nothing a scope does not.
 */
const SCOPE_KEYS = new Set(['sessionKey', 'sessionId', 'taskCode', 'sprintCode']);
/** Identifiers: findable (`TSK-001`), but a match on them alone ranks low. */
const ID_KEYS = new Set(['agentId', 'assignee', 'code', 'hash', 'bugHash', 'id', 'planId', 'workflowId', 'commandId', 'correlationId', 'url', 'uri', 'sha256']);
/** Long machine strings (uuids, hashes, timestamps) only bloat the index: nobody searches them by words. */
const NOISE = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,}|\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)$/i;

/** Most characters of one part: a 1 MB stack trace must not make a 1 MB tsvector (Postgres caps it at 1 MB). */
const MAX_PART = 16_000;

export function searchDocument(type: string, data: Record<string, unknown>): SearchDocument {
  const parts = { head: [] as string[], body: [] as string[], ids: [] as string[] };
  collect(data, null, parts, 0);
  const head = parts.head.join('\n');
  const body = parts.body.join('\n');
  // File paths are indexed whole and by their tails, so `src/x.ts` and `x.ts` find `apps/cli/src/x.ts`.
  const paths = [...pathTokens(head), ...pathTokens(body)].flatMap(pathVariants);
  return {
    type: typeWords(type),
    head: cap(head),
    body: cap([body, ...new Set(paths)].join('\n')),
    ids: cap(parts.ids.join(' ')),
  };
}

/** `orchestration.task.status_updated` → itself (so the exact type is a query) and `task status updated`. */
export function typeWords(type: string): string {
  const words = type.split('.').filter((w) => w !== 'orchestration');
  return `${type} ${words.join(' ').replace(/_/g, ' ')}`;
}

function collect(value: unknown, key: string | null, parts: { head: string[]; body: string[]; ids: string[] }, depth: number): void {
  if (depth > 8 || value === null || value === undefined) return;
  if (typeof value === 'string') {
    const s = value.trim();
    if (!s || NOISE.test(s) || (key !== null && (/At$/.test(key) || (depth === 1 && SCOPE_KEYS.has(key))))) return;
    const into = key !== null && ID_KEYS.has(key) ? parts.ids : key !== null && HEAD_KEYS.has(key) ? parts.head : parts.body;
    into.push(s);
  } else if (Array.isArray(value)) {
    for (const item of value) collect(item, key, parts, depth + 1);
  } else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) collect(v, k, parts, depth + 1);
  }
}

const PATH_LIKE = /(?:^|[\s'"`(<[{,=])((?:[A-Za-z]:)?[\w.@~+-]*[/\\][\w.@~+/\\-]+|[\w-]+\.[A-Za-z][A-Za-z0-9]{0,5}(?::\d+){0,2})(?=$|[\s'"`)>\]},;:])/g;

/** Words of the text that look like file paths (`a/b/c.ts`, `C:\x\y.js`, `x.ts:12`); URLs are not paths. */
export function pathTokens(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(PATH_LIKE)) {
    const token = m[1]!;
    const before = text.slice(Math.max(0, m.index! - 3), m.index! + 1);
    if (before.includes(':/') || token.startsWith('//')) continue;
    out.push(token);
    if (out.length >= 50) break;
  }
  return out;
}

/**
 * `/repo/apps/cli/src/x.ts:12` → `apps/cli/src/x.ts`-style tails down to `x.ts`, plus the
 * segments as words (`apps cli src x`). Postgres parses `a/b.ts` as one "file" token and `b.ts` as
 * a "host", so each tail must be in the text to match a query for it.
 */
export function pathVariants(path: string): string[] {
  const clean = path.replace(/\\/g, '/').replace(/(?::\d+){1,2}$/, '').replace(/^[A-Za-z]:/, '');
  const segments = clean.split('/').filter((s) => s && s !== '.' && s !== '..');
  if (segments.length === 0) return [];
  const tails: string[] = [];
  for (let i = Math.max(0, segments.length - 6); i < segments.length; i++) tails.push(segments.slice(i).join('/'));
  const last = segments[segments.length - 1]!;
  const stem = last.includes('.') ? last.slice(0, last.lastIndexOf('.')) : last;
  return [...tails, segments.slice(0, -1).join(' '), stem];
}

function cap(text: string): string {
  return text.length > MAX_PART ? text.slice(0, MAX_PART) : text;
}
