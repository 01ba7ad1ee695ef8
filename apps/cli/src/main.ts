#!/usr/bin/env node
import { runCli } from './cli';

// exitCode, not process.exit(): piped output (`orch task list | head`) is flushed first.
void runCli(process.argv.slice(2), { io: process, env: process.env }).then((code) => {
  process.exitCode = code;
});
