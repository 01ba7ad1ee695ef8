#!/usr/bin/env node
// `node tools/lockfile-platforms.mjs [--check]`: completes package-lock.json with the optional,
// platform-specific binaries (`@swc/core-darwin-arm64`, `@nx/nx-win32-x64-msvc`, ...) that an
// `npm install` against a registry mirror without them leaves out. Without those entries
// `npm ci` refuses the lock ("Missing: ... from lock file") on every machine. The entries carry
// version, os, cpu and libc, so npm skips them on other platforms without fetching anything.
// --check only reports (exit 1 when entries are missing).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './build.mjs';

const OSES = ['darwin', 'win32', 'linux', 'freebsd', 'android', 'openharmony', 'sunos', 'netbsd', 'openbsd', 'aix'];
const CPUS = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'loong64', 'riscv64', 'mips64el', 'wasm32'];

/** os/cpu/libc from a package name such as `@swc/core-linux-arm64-musl`; undefined if it names none. */
export function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = OSES.find((o) => parts.includes(o));
  const cpu = CPUS.find((c) => parts.includes(c) || (c === 'arm' && parts.some((p) => /^arm(eabi|gnueabihf|musleabihf)?$/.test(p))));
  if (!os || !cpu) return undefined;
  const libc = parts.some((p) => p.startsWith('musl')) ? 'musl' : parts.some((p) => p.startsWith('gnu')) ? 'glibc' : undefined;
  return { os, cpu, libc };
}

/** Adds the missing entries to `lock` in place; returns their names (and the names it could not place). */
export function completeLock(lock) {
  const packages = lock.packages;
  const added = [];
  const unknown = [];
  for (const [path, entry] of Object.entries(packages)) {
    for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
      if (resolves(packages, path, name)) continue;
      const platform = platformOf(name);
      if (!platform) {
        unknown.push(name);
        continue;
      }
      packages[`node_modules/${name}`] = {
        version,
        ...(entry.dev ? { dev: true } : {}),
        optional: true,
        os: [platform.os],
        cpu: [platform.cpu],
        ...(platform.libc ? { libc: [platform.libc] } : {}),
      };
      added.push(name);
    }
  }
  lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b, 'en'))));
  return { added, unknown };
}

/** Node's lookup: `<path>/node_modules/<name>`, then each ancestor's, up to the root. */
function resolves(packages, from, name) {
  let dir = from;
  for (;;) {
    if (packages[`${dir ? `${dir}/` : ''}node_modules/${name}`]) return true;
    if (!dir) return false;
    const cut = dir.lastIndexOf('/node_modules/');
    dir = cut === -1 ? '' : dir.slice(0, cut);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const file = join(ROOT, 'package-lock.json');
  const lock = JSON.parse(readFileSync(file, 'utf8'));
  const { added, unknown } = completeLock(lock);
  if (unknown.length) process.stderr.write(`optional dependencies missing from the lock that name no platform: ${[...new Set(unknown)].join(', ')}\n`);
  if (process.argv.includes('--check')) {
    process.stdout.write(added.length ? `package-lock.json lacks ${added.length} platform entries: run node tools/lockfile-platforms.mjs\n` : 'package-lock.json is complete\n');
    process.exitCode = added.length ? 1 : 0;
  } else {
    if (added.length) writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
    process.stdout.write(added.length ? `added ${added.length} entries: ${added.join(', ')}\n` : 'package-lock.json is complete\n');
  }
}
