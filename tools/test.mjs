#!/usr/bin/env node
// `npm test`: build, type-check, then every jest project (unit, int, e2e). Arguments after
// `npm test --` go to jest (e.g. `npm test -- apps/cli`). The exit code is jest's, or the
// type checker's when jest passed and tsc did not.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, ROOT } from './build.mjs';
import { checkInfrastructure, describeDown, ensureDatabase, infraAddresses } from './infra.mjs';
import { completeLock } from './lockfile-platforms.mjs';

/**
 * Measured on 2 cores (whole suite, 240 tests): 1 worker (in band) 26 s, 2 workers 18 s, 3 workers
 * 18 s. Two, then: as fast as three with less contention for timing-sensitive tests.
 * JEST_WORKERS overrides.
 */
const WORKERS = process.env.JEST_WORKERS || '2';
const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

function step(title) {
  process.stdout.write(`\n▶ ${title}\n`);
}

function run(command, args) {
  const result = spawnSync(process.execPath, [join(ROOT, command), ...args], { cwd: ROOT, stdio: 'inherit', env: process.env });
  return result.status ?? 1;
}

async function main() {
  step('checking NATS, Postgres and Redis (integration tests use them)');
  const results = await checkInfrastructure();
  if (results.some((r) => !r.ok)) {
    process.stderr.write(`${describeDown(results)}\n`);
    return 1;
  }
  for (const url of [TEST_DATABASE_URL, infraAddresses().DATABASE_URL]) {
    if (await ensureDatabase(url)) process.stdout.write(`created database ${new URL(url).pathname.slice(1)}\n`);
  }

  const { added } = completeLock(JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')));
  if (added.length) {
    process.stderr.write(`warning: package-lock.json lacks ${added.length} platform-specific optional entries, so \`npm ci\` (CI) will refuse it; run node tools/lockfile-platforms.mjs\n`);
  }

  step('build');
  if (!build()) return 1;

  step('type check (tsc --noEmit)');
  const tsc = run('node_modules/typescript/bin/tsc', ['-p', 'tsconfig.json', '--noEmit']);
  process.stdout.write(tsc === 0 ? 'no type errors\n' : `tsc exited with ${tsc}\n`);

  step(`jest (all projects, ${WORKERS} workers)`);
  const ci = process.env.CI ? ['--ci'] : [];
  const summary = join(tmpdir(), `orch-jest-${process.pid}.json`);
  const jest = run('node_modules/jest/bin/jest.js', [`--maxWorkers=${WORKERS}`, ...ci, '--json', `--outputFile=${summary}`, ...process.argv.slice(2)]);
  printClosingLine(summary);
  if (jest === 0 && tsc !== 0) process.stderr.write('\njest passed, but the type check failed (see above)\n');
  return jest !== 0 ? jest : tsc;
}

/** One plain `N passed, N failed` line at the very end, whatever reads this output. */
function printClosingLine(file) {
  if (!existsSync(file)) return;
  const result = JSON.parse(readFileSync(file, 'utf8'));
  rmSync(file, { force: true });
  const skipped = result.numPendingTests + result.numTodoTests;
  process.stdout.write(`\n${result.numPassedTests} passed, ${result.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
}

main().then(
  (code) => (process.exitCode = code),
  (error) => {
    process.stderr.write(`npm test could not run: ${error?.message ?? error}\n`);
    process.exitCode = 1;
  },
);
