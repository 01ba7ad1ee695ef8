import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { generate, GENERATED } from './api-types';

// `npm run gen:api`: rewrites the CLI's API types from the gateway's routes. The built file sits
// in dist/tools, so GENERATED points into dist/apps; write to the source tree instead.
const target = GENERATED.replace(/[\\/]dist[\\/]apps[\\/]/, '/apps/');
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, generate());
process.stdout.write(`wrote ${target}\n`);
