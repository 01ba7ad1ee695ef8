import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSearchConfig } from './search.config';

/** `search.cache_ttl` of config/orchestration.yaml (SPEC §4.1), under the SEARCH_CACHE_TTL_SECONDS variable. */
describe('the cache TTL setting', () => {
  const yaml = (text: string) => {
    const file = join(mkdtempSync(join(tmpdir(), 'search-config-')), 'orchestration.yaml');
    writeFileSync(file, text);
    return file;
  };

  it('takes search.cache_ttl from the orchestration file', () => {
    expect(loadSearchConfig({ ORCH_CONFIG_FILE: yaml('search:\n  driver: fulltext\n  cache_ttl: 120\n') }).SEARCH_CACHE_TTL_SECONDS).toBe(120);
  });

  it('lets SEARCH_CACHE_TTL_SECONDS override the file', () => {
    expect(loadSearchConfig({ ORCH_CONFIG_FILE: yaml('search:\n  cache_ttl: 120\n'), SEARCH_CACHE_TTL_SECONDS: '300' }).SEARCH_CACHE_TTL_SECONDS).toBe(300);
  });

  it('reads the repository’s config/orchestration.yaml when no file is named, and defaults to an hour without the key', () => {
    expect(loadSearchConfig({}).SEARCH_CACHE_TTL_SECONDS).toBe(3_600);
    expect(loadSearchConfig({ ORCH_CONFIG_FILE: yaml('workflow:\n  allow_phase_skip: false\n') }).SEARCH_CACHE_TTL_SECONDS).toBe(3_600);
  });

  it('refuses a bad cache_ttl, naming the key, the file and the value', () => {
    const file = yaml('search:\n  cache_ttl: soon\n');
    expect(() => loadSearchConfig({ ORCH_CONFIG_FILE: file })).toThrow(`search.cache_ttl in ${file}: Invalid input: expected number, received string (got "soon")`);
    expect(() => loadSearchConfig({ ORCH_CONFIG_FILE: yaml('search:\n  cache_ttl: 0\n') })).toThrow(/search\.cache_ttl in .*: .*1 \(got 0\)/);
  });
});
