import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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

export const DEFAULT_URL = 'http://127.0.0.1:3000';

/** Where a setting came from, strongest first: a flag, the environment, the config file, the default. */
export type Source = 'flag' | 'env' | 'file' | 'default' | 'none';

export interface Connection {
  url: string;
  urlFrom: Source;
  apiKey?: string;
  apiKeyFrom: Source;
}

/**
 * The gateway and key of this invocation: `--url`/`--api-key`, else ORCH_URL/ORCH_API_KEY, else
 * `~/.orch/config.json`, else the local default URL and no key. An empty value counts as unset.
 */
export function resolveConnection(flags: { url?: string; apiKey?: string }, env: NodeJS.ProcessEnv, file: CliConfig): Connection {
  const pick = (flag: string | undefined, fromEnv: string | undefined, fromFile: string | undefined): [string | undefined, Source] =>
    flag ? [flag, 'flag'] : fromEnv ? [fromEnv, 'env'] : fromFile ? [fromFile, 'file'] : [undefined, 'none'];
  const [url, urlFrom] = pick(flags.url, env.ORCH_URL, file.url);
  const [apiKey, apiKeyFrom] = pick(flags.apiKey, env.ORCH_API_KEY, file.apiKey);
  return { url: url ?? DEFAULT_URL, urlFrom: url ? urlFrom : 'default', apiKey, apiKeyFrom };
}

/** Checks one setting as the file would hold it; the message names the problem. */
export function checkSetting(key: string, value: string): asserts key is keyof CliConfig {
  if (key !== 'url' && key !== 'apiKey') throw new UsageError(`unknown setting "${key}" (known: url, apiKey)`);
  if (value === '') throw new UsageError(`"${key}" must be a non-empty string`);
  if (key === 'url' && !/^https?:\/\/[^\s]+$/.test(value)) throw new UsageError('"url" must start with http:// or https:// (e.g. http://127.0.0.1:3000)');
  if (key === 'apiKey' && /\s/.test(value)) throw new UsageError('"apiKey" must not contain spaces or line breaks');
}

/** Writes the config file (only its owner may read it: it holds a key), atomically. */
export function writeCliConfig(config: CliConfig, env: NodeJS.ProcessEnv): string {
  const path = configPath(env);
  mkdirSync(orchHome(env), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  renameSync(temp, path);
  return path;
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
