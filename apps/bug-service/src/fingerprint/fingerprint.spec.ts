import { FINGERPRINT_VERSION, fingerprint, fingerprintHash } from './fingerprint';
import { MAX_STACK_CHARS } from './sanitise';

describe('fingerprint', () => {
  it('is a sha256 over class, template and frame, with its version', () => {
    const f = fingerprint({ message: 'TypeError: bad id 42', file: 'src/a.ts' });
    expect(f).toMatchObject({ version: FINGERPRINT_VERSION, errorClass: 'TypeError', template: 'bad id <int>', frame: { fn: '', path: 'src/a.ts' }, category: 'type' });
    expect(f.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(f.hash).toBe(fingerprintHash('TypeError', 'bad id <int>', { fn: '', path: 'src/a.ts' }));
  });
  it('never lets a line number change the hash', () => {
    const at = (line: number) => fingerprint({ message: 'Error: x', stack: `Error: x\n    at f (/p/src/a.ts:${line}:1)`, projectRoot: '/p' });
    expect(at(1).hash).toBe(at(99).hash);
    expect(at(99).frame?.line).toBe(99);
  });
  it('cuts a 1 MB stack with a note instead of failing', () => {
    const f = fingerprint({ message: 'Error: deep', stack: `Error: deep\n${'    at f (/p/src/a.ts:1:1)\n'.repeat(40_000)}` });
    expect(f.stack!.length).toBeLessThan(MAX_STACK_CHARS + 200);
    expect(f.stack).toMatch(/\[truncated: \d+ of \d+ characters dropped\]$/);
    expect(f.notes).toEqual([`stack truncated to ${MAX_STACK_CHARS} characters`]);
  });
  it('removes control characters and binary garbage', () => {
    const f = fingerprint({ message: '\u0000\u001b[31mError: x\u0007\uFFFD\uD800', file: 'a\u0000.ts' });
    expect(f.message).toBe('Error: x');
    expect(f.frame?.path).toBe('a.ts');
  });
  it('uses only the first non-empty line of the message', () => {
    expect(fingerprint({ message: '\n\nError: x\nmore' }).template).toBe('x');
  });
});
