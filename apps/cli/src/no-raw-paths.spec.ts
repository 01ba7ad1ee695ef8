import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { rawGatewayCalls } from './testing/raw-paths';

const SRC = __dirname;

/** Every CLI source but the generated types, the client module itself and the tests. */
function sources(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sources(path);
    if (!entry.name.endsWith('.ts') || entry.name.endsWith('.spec.ts')) return [];
    return relative(SRC, path) === 'client.ts' ? [] : [path];
  });
}

describe('the CLI calls the gateway only through its typed client', () => {
  it.each([
    ['fetch of a built URL', 'await fetch(`${base}/api/v1/tasks/${code}`);'],
    ['fetch of a path', "const res = await fetch('/api/v1/tasks');"],
    ['any direct fetch', 'await globalThis.fetch(url, { method: "POST" });'],
    ['a raw request', "await ctx.client().request('GET', '/api/v1/tasks');"],
    ['a raw post', "await client.post('/api/v1/sessions', { taskCode });"],
    ['a path builder', 'const S = (key: string) => `/api/v1/sessions/${encodeURIComponent(key)}`;'],
    ['a typed call with an interpolated path', 'await api.GET(`/api/v1/tasks/${code}` as never);'],
    ['a URL of a route', "const url = new URL('/ready', base);"],
    ['a full URL', "await http.get('http://127.0.0.1:3000/api/v1/tasks');"],
  ])('flags %s', (_what, fixture) => {
    expect(rawGatewayCalls(fixture)).not.toEqual([]);
  });

  it.each([
    ['a typed call', "const t = await ok(ctx.client().api.GET('/api/v1/tasks/{code}', { params: { path: { code } } }));"],
    ['a typed write', "await ok(api.POST('/api/v1/sessions/{key}/notes', { params: { path: { key } }, body: { text } }));"],
    ['a comment', '// POST /api/v1/sessions starts one\nconst x = 1;'],
    ['prose that names a route', "cmd.description('is the system ready? (GET /ready: NATS, Postgres, Redis)');"],
    ['a URL elsewhere', "const hook = 'https://example.com/hooks/x';"],
  ])('accepts %s', (_what, fixture) => {
    expect(rawGatewayCalls(fixture)).toEqual([]);
  });

  it('holds for every source file of apps/cli/src', () => {
    const files = sources();
    expect(files.length).toBeGreaterThan(20);
    const found = files.flatMap((file) => rawGatewayCalls(readFileSync(file, 'utf8'), relative(SRC, file)));
    expect(found.map((f) => `${f.file}:${f.line}: ${f.why}: ${f.text}`)).toEqual([]);
  });
});
