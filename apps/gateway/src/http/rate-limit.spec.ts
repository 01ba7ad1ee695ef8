import { parseRateLimits } from './rate-limit';

describe('RATE_LIMITS', () => {
  it('reads role:perSecond:burst pairs', () => {
    expect(parseRateLimits('admin:500:2000,viewer:0.5:10')).toEqual({ admin: { perSecond: 500, burst: 2000 }, viewer: { perSecond: 0.5, burst: 10 } });
  });

  it('is empty when off, so no role is limited', () => {
    expect(parseRateLimits('off')).toEqual({});
  });
});
