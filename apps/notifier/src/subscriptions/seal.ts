import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Why seal instead of storing secrets outside the log: the log is the source of truth and is
 * replayed by rebuilds, so a subscription must be fully described by its events. But an event is
 * in the log forever and every service (and the search index) reads the log, so a Slack/Discord
 * URL (its token is in the path) or a `whsec_` secret in clear would leak to all of them for good.
 * AES-256-GCM with a key only the notifier has keeps both: the log holds ciphertext, a rebuild
 * still works, and rotating the key away makes the old ciphertext useless (crypto-shredding).
 *
 * Format: `v1.<key id>.<iv>.<tag>.<ciphertext>` (base64url); the key id names the key that sealed it.
 */
export interface Sealed {
  url: string;
  secret: string | null;
}

export const keyId = (key: Buffer): string => createHash('sha256').update(key).digest('hex').slice(0, 8);

export function seal(value: Sealed, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return ['v1', keyId(key), iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

export function unseal(sealed: string, key: Buffer): Sealed {
  const [version, kid, iv, tag, body] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || !body) throw new Error('sealed subscription target has an unknown format');
  if (kid !== keyId(key)) throw new Error(`subscription target was sealed with key ${kid}, not the configured key ${keyId(key)} (WEBHOOK_SEAL_KEY changed?)`);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  const plain = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  return JSON.parse(plain) as Sealed;
}

/** A Standard Webhooks secret: `whsec_` + base64 of 32 random bytes. */
export const newSigningSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

/**
 * What may be shown of a target URL: scheme, host, port and the first path segment. Slack
 * (`/services/T…/B…/token`) and Discord (`/api/webhooks/id/token`) keep their token further down.
 */
export function displayUrl(raw: string): string {
  const u = new URL(raw);
  const first = u.pathname.split('/').filter(Boolean)[0];
  const rest = u.pathname.split('/').filter(Boolean).length > 1 || u.search ? '/…' : '';
  return `${u.protocol}//${u.host}${first ? `/${first}` : ''}${rest}`;
}
