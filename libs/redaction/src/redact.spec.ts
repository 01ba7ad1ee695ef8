import { redactSecrets, type SecretKind } from './redact';

// Realistic-looking values, assembled at run time so that no scanner mistakes this file for a leak.
const j = (...parts: string[]) => parts.join('');
const AWS_ID = j('AKIA', 'IOSFODNN7', 'EXAMPLE');
const GH = j('ghp_', 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8');
const JWT = j('eyJhbGciOiJIUzI1NiJ9', '.', 'eyJzdWIiOiIxMjM0NTY3ODkwIn0', '.', 'dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U');
const OPENAI = j('sk-', 'proj-', 'Zx8PqR2sT4uV6wX8yZ0aB2cD4eF6gH8iJ0kL2mN4');
const ANTHROPIC = j('sk-ant-', 'api03-', 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789');
const STRIPE = j('sk_', 'live_', '51HxYzAbCdEfGhIjKlMnOpQr');
const SLACK = j('xoxb-', '1234567890-', '0987654321-', 'AbCdEfGhIjKlMnOp');
const GOOGLE = j('AIza', 'SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY');
const KEY_BLOCK = j('-----BEGIN ', 'RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq98DWmYnG0\nq3c4d5e6f7g8h9i0\n-----END ', 'RSA PRIVATE KEY-----');

const CAUGHT: Array<{ text: string; kind: SecretKind; keeps?: string }> = [
  { text: `export AWS_ACCESS_KEY_ID=${AWS_ID}`, kind: 'aws_access_key', keeps: 'export AWS_ACCESS_KEY_ID=' },
  { text: `git push https://${GH}@github.com/acme/app.git failed`, kind: 'github_token', keeps: '@github.com/acme/app.git failed' },
  { text: `Authorization: Bearer ${JWT}`, kind: 'jwt', keeps: 'Authorization: Bearer ' },
  { text: 'curl -H "Authorization: Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0" https://api', kind: 'bearer_token', keeps: 'Bearer [REDACTED:bearer_token]' },
  { text: 'Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l', kind: 'basic_auth', keeps: 'Basic [REDACTED:basic_auth]' },
  { text: `OPENAI_API_KEY=${OPENAI}`, kind: 'openai_key' },
  { text: `client = Anthropic(api_key="${ANTHROPIC}")`, kind: 'anthropic_key' },
  { text: `Stripe error with key ${STRIPE}: card declined`, kind: 'stripe_key', keeps: ': card declined' },
  { text: `slack: invalid_auth for token ${SLACK}`, kind: 'slack_token' },
  { text: 'POST https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX 404', kind: 'slack_webhook', keeps: ' 404' },
  { text: `maps: ${GOOGLE} over quota`, kind: 'google_api_key' },
  { text: 'error: connect ECONNREFUSED postgres://app:s3cr3t-Pa55@db.internal:5432/app', kind: 'url_password', keeps: 'postgres://app:[REDACTED:url_password]@db.internal:5432/app' },
  { text: 'redis://:hunter2hunter2@cache:6379/0 refused', kind: 'url_password' },
  { text: `${KEY_BLOCK}\nnext line stays`, kind: 'private_key', keeps: 'next line stays' },
  { text: 'DB_PASSWORD=correct-horse-battery', kind: 'assignment', keeps: 'DB_PASSWORD=[REDACTED:assignment]' },
  { text: '{"client_secret": "Gx7!kP2#vQ9zL4mN", "id": 7}', kind: 'assignment', keeps: '"id": 7' },
  { text: "password: 'Winter2026!'", kind: 'assignment' },
  { text: 'SECRET_KEY_BASE = 0a1b2c3d4e5f60718293a4b5c6d7e8f9', kind: 'assignment' },
  { text: j('npm ERR! auth npm_', 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8', ' rejected'), kind: 'npm_token' },
  { text: 'DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=' + 'a'.repeat(20) + 'B1c2D3e4F5g6H7i8J9k0L1m2N3o4P5q6R7s8T9u0==', kind: 'azure_key' },
  { text: j('signing with whsec_', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'), kind: 'webhook_secret' },
  { text: j('glpat-', 'xXyYzZ1234567890aBcD'), kind: 'gitlab_token' },
];

const KEPT: string[] = [
  'function login(user: string, password: string): Promise<Token>',
  'const token = req.headers.authorization;',
  'API_KEY=${API_KEY}',
  'password_min_length = 12',
  'import { tokenizer } from "./secret_santa";',
  'pip install scikit-learn  # sk-learn is not a key',
  'commit 3f786850e387550fdab836ed7e6dc881de23001b: fix auth',
  'id 7c9e6679-7425-40de-944b-e07fc1ee6d1f not found',
  'connect ECONNREFUSED postgres://postgres@127.0.0.1:5432/test',
  'Authorization: Bearer <token>',
  'set password: ******** (hidden)',
  "TypeError: Cannot read properties of undefined (reading 'token')",
  'Expected AKIA-prefixed key, got nothing',
  'secret = os.environ["SECRET"]',
  'the key is in the vault; see docs/secrets.md',
];

describe('redactSecrets', () => {
  it.each(CAUGHT)('cuts the $kind in "$text"', ({ text, kind, keeps }) => {
    const r = redactSecrets(text);
    expect(r.count).toBeGreaterThanOrEqual(1);
    expect(r.kinds[kind]).toBeGreaterThanOrEqual(1);
    expect(r.text).toContain(`[REDACTED:${kind}]`);
    if (keeps) expect(r.text).toContain(keeps);
  });

  it.each(KEPT)('keeps the look-alike "%s" as it is', (text) => {
    const r = redactSecrets(text);
    expect(r).toEqual({ text, count: 0, kinds: {} });
  });

  it('counts every secret of a text and leaves the rest of it alone', () => {
    const log = `step 1 ok\nDB_PASSWORD=correct-horse-battery\nusing ${AWS_ID} and ${GH}\nstep 2 ok`;
    const r = redactSecrets(log);
    expect(r.count).toBe(3);
    expect(r.text).toBe('step 1 ok\nDB_PASSWORD=[REDACTED:assignment]\nusing [REDACTED:aws_access_key] and [REDACTED:github_token]\nstep 2 ok');
  });

  it('is idempotent: redacting a redacted text changes nothing', () => {
    const once = redactSecrets(`postgres://app:s3cr3t-Pa55@db/app token=${GH}`);
    expect(redactSecrets(once.text)).toEqual({ text: once.text, count: 0, kinds: {} });
  });
});
