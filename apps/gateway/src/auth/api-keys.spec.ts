import { ConfigError } from '@orch/config';
import { KeyRing, keyId, parseApiKeys, resolveApiKeys } from './api-keys';
import { ADMINS, isAllowed, READERS, WRITERS } from './roles';

describe('API keys', () => {
  it('parses key:role pairs and names each key without revealing it', () => {
    const entries = parseApiKeys('s3cret-admin-1:admin,s3cret-agent-1:agent');
    expect(entries.map((e) => e.role)).toEqual(['admin', 'agent']);
    expect(entries[0]!.id).toMatch(/^key-[0-9a-f]{8}$/);
    expect(entries[0]!.id).toBe(keyId('s3cret-admin-1'));
    expect(JSON.stringify(entries)).not.toContain('s3cret');
  });

  it('refuses a key listed twice', () => {
    expect(() => parseApiKeys('same-key-1:admin,same-key-1:viewer')).toThrow(ConfigError);
  });

  it('accepts the development keys outside production when none are configured', () => {
    const { entries, development } = resolveApiKeys(undefined, 'development');
    expect(development).toBe(true);
    const ring = new KeyRing(entries);
    expect(ring.authenticate('dev-admin-key')?.role).toBe('admin');
    expect(ring.authenticate('dev-agent-key')?.role).toBe('agent');
    expect(ring.authenticate('dev-viewer-key')?.role).toBe('viewer');
  });

  it('refuses to run in production without keys', () => {
    expect(() => resolveApiKeys(undefined, 'production')).toThrow(/ORCH_API_KEYS: required in production/);
  });

  it('does not accept the development keys once keys are configured', () => {
    const ring = new KeyRing(resolveApiKeys('real-key-123:admin', 'production').entries);
    expect(ring.authenticate('dev-admin-key')).toBeNull();
    expect(ring.authenticate('real-key-123')?.role).toBe('admin');
  });

  it('makes agents act as agents and other roles as humans, under the key id', () => {
    const ring = new KeyRing(parseApiKeys('agent-key-1:agent,admin-key-1:admin'));
    expect(ring.authenticate('agent-key-1')?.actor).toEqual({ kind: 'agent', id: keyId('agent-key-1'), role: 'agent' });
    expect(ring.authenticate('admin-key-1')?.actor).toEqual({ kind: 'human', id: keyId('admin-key-1'), role: 'admin' });
  });

  it('recognises no prefix, suffix or case variant of a key', () => {
    const ring = new KeyRing(parseApiKeys('Exact-Key-9:admin'));
    for (const wrong of ['Exact-Key', 'Exact-Key-99', 'exact-key-9', '', ' Exact-Key-9']) expect(ring.authenticate(wrong)).toBeNull();
  });
});

describe('roles', () => {
  it('lets viewers read only', () => {
    expect(isAllowed(READERS, 'viewer')).toBe(true);
    expect(isAllowed(WRITERS, 'viewer')).toBe(false);
    expect(isAllowed(ADMINS, 'viewer')).toBe(false);
  });
  it('lets agents read and write tasks and sprints, but not administer', () => {
    expect(isAllowed(READERS, 'agent')).toBe(true);
    expect(isAllowed(WRITERS, 'agent')).toBe(true);
    expect(isAllowed(ADMINS, 'agent')).toBe(false);
  });
  it('lets admins do everything', () => {
    for (const access of [READERS, WRITERS, ADMINS]) expect(isAllowed(access, 'admin')).toBe(true);
  });
  it('lets anyone call a public endpoint', () => expect(isAllowed('public', 'viewer')).toBe(true));
});
