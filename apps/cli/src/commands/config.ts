import type { Command } from 'commander';
import { checkSetting, configPath, readCliConfig, resolveConnection, writeCliConfig, type CliConfig, type Source } from '../config-file';
import { details, printJson } from '../output';
import { examples, jsonOption, type CommandContext } from './context';

const FROM: Record<Source, string> = { flag: 'flag', env: 'environment', file: 'config file', default: 'default', none: 'not set' };

/** `abcd…(13 chars)`: enough to tell keys apart, not enough to use one. */
export function maskKey(key: string): string {
  return key.length <= 8 ? `…(${key.length} chars)` : `${key.slice(0, 4)}…(${key.length} chars)`;
}

/**
 * `orch config`: which gateway and key this invocation uses and where each comes from (flags >
 * ORCH_URL/ORCH_API_KEY > ~/.orch/config.json > default); `orch config set url|apiKey VALUE`
 * writes the file.
 */
export function configCommand(program: Command, ctx: CommandContext, env: NodeJS.ProcessEnv, file: CliConfig): void {
  const config = examples(
    jsonOption(program.command('config').description('show the gateway URL and API key in use and where each comes from; `config set` writes ~/.orch/config.json')),
    'orch config',
    'orch config --api-key dev-viewer-key --json',
    'orch config set url http://orch.internal:3000',
  ).action((opts: { json?: boolean }) => {
    const c = resolveConnection(program.opts<{ url?: string; apiKey?: string }>(), env, file);
    const shown = { url: c.url, urlFrom: c.urlFrom, apiKey: c.apiKey ? maskKey(c.apiKey) : null, apiKeyFrom: c.apiKeyFrom, configFile: configPath(env) };
    if (opts.json) return printJson(ctx.io, shown);
    ctx.io.stdout.write(
      details(
        [
          ['url', `${c.url} (${FROM[c.urlFrom]})`],
          ['api key', c.apiKey ? `${shown.apiKey} (${FROM[c.apiKeyFrom]})` : 'none: set ORCH_API_KEY, pass --api-key or run `orch config set apiKey KEY`'],
          ['config file', shown.configFile],
        ],
        ctx.style('stdout'),
      ),
    );
  });

  examples(config.command('set').description('store a setting in ~/.orch/config.json (url or apiKey)').argument('<key>', 'url or apiKey').argument('<value>'), 'orch config set url http://127.0.0.1:3000', 'orch config set apiKey dev-agent-key').action(
    (key: string, value: string) => {
      checkSetting(key, value);
      const path = writeCliConfig({ ...readCliConfig(env), [key]: value }, env);
      ctx.io.stdout.write(`${key} saved in ${path}${key === 'apiKey' ? ' (readable by you only)' : ''}\n`);
    },
  );
}
