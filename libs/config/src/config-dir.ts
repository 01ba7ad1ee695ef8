import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The repository's `config/` directory that holds `entry` (a file or folder), found by walking up
 * from this file — which works from `src/` under jest and from `dist/` in production — and then
 * from the working directory. Null when neither path leads to one.
 */
export function repoConfigDir(entry: string): string | null {
  for (const start of [__dirname, process.cwd()]) {
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      if (existsSync(join(dir, 'config', entry))) return join(dir, 'config');
      if (dirname(dir) === dir) break;
    }
  }
  return null;
}
