import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from './commands/context';
import { orchHome } from './context-store';

/** What `~/.orch/config.json` may set; flags and env (ORCH_URL, ORCH_API_KEY) win over it. */
export interface CliConfig {
  url?: string;
  apiKey?: string;
}

export function configPath(env: NodeJS.ProcessEnv): string {
  return join(orchHome(env), 'config.json');
}

/**
 * Reads the config file if there is one. A file that exists but is broken is a usage error that
 * names the file and the field: silently falling back to defaults would send a key elsewhere.
 */
export function readCliConfig(env: NodeJS.ProcessEnv): CliConfig {
  const path = configPath(env);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return {};
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new UsageError(`${path}: must be a JSON object like {"url": "http://127.0.0.1:3000", "apiKey": "…"}`);
  const config: CliConfig = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (key !== 'url' && key !== 'apiKey') throw new UsageError(`${path}: unknown field "${key}" (known: url, apiKey)`);
    if (typeof value !== 'string' || value === '') throw new UsageError(`${path}: field "${key}" must be a non-empty string`);
    if (key === 'url' && !/^https?:\/\//.test(value)) throw new UsageError(`${path}: field "url" must start with http:// or https://`);
    config[key] = value;
  }
  return config;
}
