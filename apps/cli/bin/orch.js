#!/usr/bin/env node
// The `orch` command: runs the compiled CLI from dist/ (`npm run build` makes it).
const path = require('node:path');
const entry = path.join(__dirname, '../../../dist/apps/cli/src/main.js');
try {
  require.resolve(entry);
} catch {
  process.stderr.write(`orch is not built yet: run \`npm run build\` in ${path.join(__dirname, '../../..')}\n`);
  process.exit(1);
}
require(entry);
