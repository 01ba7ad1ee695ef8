/**
 * Finds secrets in free text before it enters the log (notes, bug messages, stack traces,
 * artifacts, conversation turns, agent logs) and replaces each with `[REDACTED:<kind>]`. The log
 * is append-only and replicated: a secret written once is there forever, so it is cut on the way
 * in, and the count of cuts goes into the event.
 *
 * Four passes, in this order: tokens whose shape names their issuer (so a key inside an assignment
 * is named by its provider, and a private key block or a JWT is one redaction, not several), then
 * passwords in URLs, then HTTP auth schemes, then `name = value` assignments whose name says
 * secret. A later pass never re-cuts what an earlier one marked. Each pass is one regex over the
 * whole text: speed comes from few passes, not from prefilters.
 */
export type SecretKind =
  | 'private_key'
  | 'jwt'
  | 'aws_access_key'
  | 'github_token'
  | 'gitlab_token'
  | 'slack_token'
  | 'slack_webhook'
  | 'stripe_key'
  | 'openai_key'
  | 'anthropic_key'
  | 'google_api_key'
  | 'npm_token'
  | 'sendgrid_key'
  | 'azure_key'
  | 'webhook_secret'
  | 'bearer_token'
  | 'basic_auth'
  | 'url_password'
  | 'assignment';

export interface Redaction {
  text: string;
  /** How many secrets were cut. */
  count: number;
  kinds: Partial<Record<SecretKind, number>>;
}

const mark = (kind: SecretKind) => `[REDACTED:${kind}]`;

/** Values that are code or placeholders, not secrets: `password: string`, `token = getToken()`, `${API_KEY}`. */
const PLACEHOLDER = /^(?:string|number|boolean|null|undefined|true|false|none|nil|empty|required|optional|process\.env\.\w+|os\.environ\b.*|\$\{?\w+\}?|<[^>]*>|\*+|x+|\.\.\.|[\w.]+\(.*|this\.\w+.*|self\.\w+.*|[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+;?)$/i;

function secretValue(value: string): boolean {
  const bare = value.replace(/^["'`]|["'`]$/g, '');
  return bare.length >= 6 && !PLACEHOLDER.test(bare) && !/^\d+$/.test(bare) && !bare.includes('[REDACTED');
}

/**
 * Tokens whose shape names their issuer, most specific first (a private key block or a JWT is one
 * redaction, an Anthropic key is not called an OpenAI one). One regex, one pass over the text:
 * the capture group that matched says the kind.
 */
const PROVIDERS: Array<[SecretKind, string]> = [
  ['private_key', '-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\\s\\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|$)'],
  ['jwt', '\\beyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}'],
  ['slack_webhook', 'https://hooks\\.slack\\.com/services/[A-Za-z0-9/_-]+'],
  ['aws_access_key', '\\b(?:AKIA|ASIA)[A-Z0-9]{16}\\b'],
  ['github_token', '\\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{60,255})\\b'],
  ['gitlab_token', '\\bglpat-[A-Za-z0-9_-]{20,}'],
  ['slack_token', '\\bxox[abposr]-[A-Za-z0-9-]{10,}'],
  ['stripe_key', '\\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}\\b'],
  ['anthropic_key', '\\bsk-ant-[A-Za-z0-9_-]{20,}'],
  ['openai_key', '\\bsk-(?:proj-|svcacct-)?[A-Za-z0-9_-]{32,}'],
  ['google_api_key', '\\bAIza[0-9A-Za-z_-]{35}\\b'],
  ['npm_token', '\\bnpm_[A-Za-z0-9]{36}\\b'],
  ['sendgrid_key', '\\bSG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}\\b'],
  ['azure_key', 'AccountKey=[A-Za-z0-9+/=]{40,}'],
  ['webhook_secret', '\\bwhsec_[A-Za-z0-9+/=]{16,}'],
];
const PROVIDER_PATTERN = new RegExp(PROVIDERS.map(([, source]) => `(${source})`).join('|'), 'g');

interface Pass {
  pattern: RegExp;
  /** The replacement and its kind, or undefined to keep the match. */
  replace(match: string, groups: Array<string | undefined>): [string, SecretKind] | undefined;
}

const PASSES: Pass[] = [
  {
    pattern: PROVIDER_PATTERN,
    replace: (_m, groups) => {
      const kind = PROVIDERS[groups.findIndex((g) => g !== undefined)]![0];
      return [mark(kind), kind];
    },
  },
  {
    // A password in a URL (`scheme://user:password@host`); the user name stays.
    pattern: /(:\/\/[^\s:/@[]*:)([^\s@/]+)(@)/g,
    replace: (m, [head, password, at]) => (password!.startsWith('[REDACTED') || PLACEHOLDER.test(password!) ? undefined : [`${head}${mark('url_password')}${at}`, 'url_password']),
  },
  {
    // Credentials after an HTTP auth scheme: `Bearer abc…`, `Token abc…`, `Basic dXNlcjpwYXNz`.
    pattern: /\b(Bearer|Token|Basic)(\s+)([A-Za-z0-9._~+/-]{12,}={0,2})(?![A-Za-z0-9._~+/=-])/gi,
    replace: (m, [scheme, space, value]) => {
      if (value!.startsWith('[REDACTED')) return undefined;
      const basic = scheme!.toLowerCase() === 'basic';
      if (basic && !/^[A-Za-z0-9+/]+={0,2}$/.test(value!)) return undefined;
      if (!basic && value!.length < 16) return undefined;
      const kind: SecretKind = basic ? 'basic_auth' : 'bearer_token';
      return [`${scheme}${space}${mark(kind)}`, kind];
    },
  },
  {
    // `.env` lines, config and code: `DB_PASSWORD=hunter2`, `"apiKey": "…"`, `secret: '…'`. Anchored on
    // the keyword (not on the start of the name) so the scan does not backtrack over every word.
    pattern: /((?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|auth[_-]?key|credentials?)[A-Za-z0-9_-]*["']?\s*[:=]\s*)("[^"\n]{1,500}"|'[^'\n]{1,500}'|[^\s,;'"`)}\]]{1,500})/gi,
    replace: (m, [head, value]) => (secretValue(value!) ? [`${head}${mark('assignment')}`, 'assignment'] : undefined),
  },
];

export function redactSecrets(input: string): Redaction {
  let text = input;
  let count = 0;
  const kinds: Partial<Record<SecretKind, number>> = {};
  for (const pass of PASSES) {
    text = text.replace(pass.pattern, (...args: unknown[]) => {
      const match = args[0] as string;
      const groups = args.slice(1, -2) as Array<string | undefined>;
      const out = pass.replace(match, groups);
      if (!out) return match;
      count++;
      kinds[out[1]] = (kinds[out[1]] ?? 0) + 1;
      return out[0];
    });
  }
  return { text, count, kinds };
}
