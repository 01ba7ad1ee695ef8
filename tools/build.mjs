#!/usr/bin/env node
// `npm run build`: a clean compile of every TypeScript source to dist/ with swc (no type check:
// `npm run typecheck` and `npm test` do that). `@orch/*` imports are rewritten by .swcrc, so
// `node dist/apps/<app>/src/main.js` runs without a loader. Non-TypeScript files that live in a
// `src/` tree (YAML templates, JSON fixtures, SQL) are copied beside the compiled code.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_DIRS = ['apps', 'libs', 'tools', 'bench'];
const ASSET = /\.(ya?ml|json|sql|md|txt|html|hbs)$/;

/** Compiles everything; returns true on success (errors are already printed by swc). */
export function build({ quiet = false } = {}) {
  const started = Date.now();
  // Compiled beside dist/ and swapped in at the end: services that start (or restart, in the
  // chaos suite) while a build runs never find a half-empty dist/.
  const next = `.dist-next-${process.pid}`;
  rmSync(join(ROOT, next), { recursive: true, force: true });
  const dirs = SOURCE_DIRS.filter((d) => existsSync(join(ROOT, d)));
  const swc = join(ROOT, 'node_modules/@swc/cli/bin/swc.js');
  const args = [swc, ...dirs, '-d', next, '--extensions', '.ts', '--ignore', '**/*.spec.ts', '--quiet'];
  const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    rmSync(join(ROOT, next), { recursive: true, force: true });
    process.stderr.write(`build failed: swc exited with ${result.status ?? result.signal}\n`);
    return false;
  }
  const assets = copyAssets(dirs, next);
  swapIn(next);
  if (!quiet) process.stdout.write(`built dist/ from ${dirs.join(', ')} in ${Date.now() - started} ms${assets ? ` (${assets} assets copied)` : ''}\n`);
  return true;
}

function swapIn(next) {
  const dist = join(ROOT, 'dist');
  const old = join(ROOT, `.dist-old-${process.pid}`);
  for (let attempt = 1; ; attempt++) {
    try {
      if (existsSync(dist)) renameSync(dist, old);
      renameSync(join(ROOT, next), dist);
      break;
    } catch (error) {
      if (attempt >= 5) throw error; // another build swapped at the same moment: try again
    }
  }
  rmSync(old, { recursive: true, force: true });
}

function copyAssets(dirs, out) {
  let copied = 0;
  for (const top of dirs) {
    for (const file of walk(join(ROOT, top))) {
      const rel = relative(ROOT, file);
      if (!rel.split('/').includes('src') || !ASSET.test(file) || rel.endsWith('project.json') || rel.endsWith('package.json')) continue;
      const target = join(ROOT, out, rel);
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(file, target);
      copied++;
    }
  }
  return copied;
}

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = build() ? 0 : 1;
}
