import { randomBytes } from 'node:crypto';
import { displayUrl, newSigningSecret, seal, unseal } from './seal';

describe('sealed subscription targets', () => {
  const key = randomBytes(32);
  const target = { url: 'https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX', secret: newSigningSecret() };

  it('opens with the key that sealed it, and never shows the secret or the URL', () => {
    const sealed = seal(target, key);
    expect(sealed).not.toContain('XXXXSECRETXXXX');
    expect(sealed).not.toContain(target.secret!.slice(6));
    expect(unseal(sealed, key)).toEqual(target);
  });

  it('refuses another key and a tampered ciphertext', () => {
    const sealed = seal(target, key);
    expect(() => unseal(sealed, randomBytes(32))).toThrow(/WEBHOOK_SEAL_KEY/);
    const parts = sealed.split('.');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(() => unseal(parts.join('.'), key)).toThrow();
  });

  it('makes whsec_ secrets of 32 random bytes', () => {
    const s = newSigningSecret();
    expect(s).toMatch(/^whsec_/);
    expect(Buffer.from(s.slice(6), 'base64')).toHaveLength(32);
    expect(newSigningSecret()).not.toBe(s);
  });

  it('shows only scheme, host and first path segment of a URL', () => {
    expect(displayUrl('https://hooks.slack.com/services/T000/B000/XXXX')).toBe('https://hooks.slack.com/services/…');
    expect(displayUrl('https://discord.com/api/webhooks/1/tok')).toBe('https://discord.com/api/…');
    expect(displayUrl('http://user:pw@127.0.0.1:8080/hook?token=x')).toBe('http://127.0.0.1:8080/hook/…');
    expect(displayUrl('https://example.com')).toBe('https://example.com');
  });
});
