import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SearchRoutes } from '@orch/contracts';
import { RpcClient } from '@orch/messaging';
import { startService } from '@orch/service-kit';
import { isolatedEnv } from '@orch/testing';
import { searchService } from '../search-service';

describe('search settings', () => {
  it('refuses to start with a bad SEARCH_ variable, naming it and its value', async () => {
    const iso = isolatedEnv();
    process.env.SEARCH_HALF_LIFE_HOURS = 'soon';
    try {
      await expect(startService(searchService, iso.env)).rejects.toThrow(/SEARCH_HALF_LIFE_HOURS: .*\(got "soon"\)/);
    } finally {
      delete process.env.SEARCH_HALF_LIFE_HOURS;
      await iso.cleanup();
    }
  });

  it('keeps cached answers for search.cache_ttl of the orchestration file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'search-ttl-')), 'orchestration.yaml');
    writeFileSync(file, 'search:\n  driver: fulltext\n  cache_ttl: 120\n');
    const iso = isolatedEnv();
    process.env.ORCH_CONFIG_FILE = file; // the service reads its SEARCH_ settings from the process environment
    const service = await startService(searchService, iso.env).finally(() => delete process.env.ORCH_CONFIG_FILE);
    try {
      const rpc = new RpcClient(service.infra.nc, service.infra.subjects);
      const find = () => rpc.call(SearchRoutes.search, { q: 'anything' }, { meta: { actor: { kind: 'agent', id: 'a1' }, commandId: randomUUID(), issuedAt: new Date().toISOString() }, correlationId: 'c' });
      await find(); // an empty log has no version yet: this answer starts one
      await find();
      const [key] = await service.infra.redis!.keys(`${iso.env.REDIS_PREFIX}search:res:*`);
      const ttl = await service.infra.redis!.ttl(key!.slice(iso.env.REDIS_PREFIX!.length));
      expect(ttl).toBeGreaterThan(100);
      expect(ttl).toBeLessThanOrEqual(120);
    } finally {
      await service.close();
      await iso.cleanup();
    }
  });
});
