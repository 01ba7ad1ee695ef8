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
});
